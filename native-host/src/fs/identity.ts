/** Which file an entry is (device and inode), to tell "the same file" from "something now at the same name". */
export interface Identity {
  dev: number;
  ino: number;
}

export function sameFile(a: Identity, b: Identity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
