/**
 * Names the engine gives members that are not files in the container: bytes it read apart (after an
 * archive's end, before it, between a ZIP's listed members) and a database value put back together. The
 * dialog says each in the employee's words (extension/ui/warning/text.ts), never these.
 */
export const AFTER_ARCHIVE = '(data after the end of the archive)';
export const BEFORE_ARCHIVE = '(the bytes before the archive)';
export const UNLISTED_IN_ZIP = '(data the archive does not list)';
/** A SQLite value that runs on across pages, by the page where it starts. */
export const databaseValue = (page: number): string => `(value on page ${page})`;
export const DATABASE_VALUE = /^\(value on page \d+\)$/;
