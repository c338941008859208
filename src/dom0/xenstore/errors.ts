// The errors xenstored sends: XS_ERROR carries the errno's *name* as a string
// ("ENOENT\0"), never a number, and only the names xs_wire.h lists are valid
// (in its order, which is the table below). An errno outside the table is sent
// as EINVAL, as xenstored does when it cannot translate one. Inside the engine
// an op that fails throws XenstoreError; the wire layer turns it into XS_ERROR
// and the TypeScript API lets it reach the caller.
import { E } from '../../abi/xen';

/** xs_wire.h's xsd_errors[], in order. */
export const XS_ERRORS = [
  'EINVAL', 'EACCES', 'EEXIST', 'EISDIR', 'ENOENT', 'ENOMEM', 'ENOSPC', 'EIO',
  'ENOTEMPTY', 'ENOSYS', 'EROFS', 'EBUSY', 'EAGAIN', 'EISCONN', 'E2BIG', 'EPERM',
] as const;

export type XsErrno = (typeof XS_ERRORS)[number];

/** A xenstore operation failed with `errno` (the name xenstored would send). */
export class XenstoreError extends Error {
  readonly errno: XsErrno;
  constructor(errno: XsErrno, detail?: string) {
    super(detail ? `${errno}: ${detail}` : errno);
    this.name = 'XenstoreError';
    this.errno = errno;
  }
}

export function xsErr(errno: XsErrno, detail?: string): XenstoreError {
  return new XenstoreError(errno, detail);
}

/** The name xenstored sends for a (positive or negative) Xen errno: untranslatable ones become EINVAL. */
export function errnoName(errno: number): XsErrno {
  const n = Math.abs(errno);
  for (const name of XS_ERRORS) if (E[name] === n) return name;
  return 'EINVAL';
}
