// Vite turns `?worker&inline` into a Worker constructor whose code is embedded in this bundle (a blob:
// URL worker), because a content script on an https page cannot start a chrome-extension:// worker.
declare module '*?worker&inline' {
  const WorkerConstructor: { new (options?: { name?: string }): Worker };
  export default WorkerConstructor;
}
