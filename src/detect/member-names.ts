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
/** An object embedded in a document or drawing that carries no file name (an OLE object, its Package or CONTENTS). */
export const embeddedObject = (n?: number): string => `(embedded object${n ? ` ${n}` : ''})`;
export const EMBEDDED_OBJECT = /^\(embedded object(?: \d+)?\)$/;
/** Data encoded in a text and read as a file (a base64 or quoted-printable part, a PEM block, a git binary patch), by its encoding. */
export const encodedInText = (kind: string, n?: number): string => `(${kind}${n ? ` ${n}` : ''})`;
export const ENCODED_IN_TEXT = /^\((?:base64 part|quoted-printable part|[A-Z0-9 ]+ message|binary patch \d+|encoded file \d+)\)$/;
/** The n-th message of a mailbox (mbox, MMDF, Babyl); `framed`: read to the length its Content-Length field gives. Named .eml: read as the message it is. */
export const mailboxMessage = (n: number, framed = false): string => `(message ${n}${framed ? ' by Content-Length' : ''}).eml`;
export const MAILBOX_MESSAGE = /^\(message (\d+)(?: by Content-Length)?\)\.eml$/;
/** What a signature (CMS, OpenPGP) signs, when it names no file. */
export const SIGNED_CONTENT = '(signed content)';
