/** The part of @iden3/binfileutils zkml uses (snarkjs's sectioned binary files), typed. */
declare module "@iden3/binfileutils" {
  /** A fastfile handle: zkml writes whole buffers and numbers at its position. */
  export interface FastFile {
    pos: number;
    write(buff: Uint8Array, pos?: number): Promise<void>;
    writeULE32(v: number, pos?: number): Promise<void>;
    writeULE64(v: number, pos?: number): Promise<void>;
    readULE32(pos?: number): Promise<number>;
    read(n: number, pos?: number): Promise<Uint8Array>;
    close(): Promise<void>;
  }
  export interface Section {
    p: number;
    size: number;
  }
  export function createBinFile(file: string, type: string, version: number, nSections: number, cacheSize?: number, pageSize?: number): Promise<FastFile>;
  export function readBinFile(file: string | Uint8Array, type: string, maxVersion: number, cacheSize?: number, pageSize?: number): Promise<{ fd: FastFile; sections: Section[][] }>;
  export function startWriteSection(fd: FastFile, idSection: number): Promise<void>;
  export function endWriteSection(fd: FastFile): Promise<void>;
  export function writeBigInt(fd: FastFile, n: bigint, n8: number, pos?: number): Promise<void>;
  export function readSection(fd: FastFile, sections: Section[][], idSection: number, offset?: number, length?: number): Promise<Uint8Array>;
}
