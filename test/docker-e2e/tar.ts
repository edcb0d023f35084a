// A one-file tar archive, as the provider builds one per upload (Go's archive/tar, a header
// with the file's absolute path, its mode and size, and no directory entries: dockerd creates
// missing parent directories itself, root-owned, mode 0755). ustar format; owner ids are
// written when given.
export interface TarFile {
    /** Absolute path in the container, e.g. `/canton/config/node.conf`. */
    name: string;
    content: Buffer;
    mode: number;
    uid?: number;
    gid?: number;
}

function octal(value: number, width: number): string {
    return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(f: TarFile): Buffer {
    const h = Buffer.alloc(512, 0);
    // Go writes the name as given; ustar splits a long one into prefix (155) and name (100).
    let name = f.name;
    let prefix = "";
    if (Buffer.byteLength(name) > 100) {
        const cut = name.lastIndexOf("/", 155);
        if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`tar: path too long for ustar: ${f.name}`);
        prefix = name.slice(0, cut);
        name = name.slice(cut + 1);
    }
    h.write(name, 0, 100);
    h.write(octal(f.mode & 0o7777, 8), 100);
    h.write(octal(f.uid ?? 0, 8), 108);
    h.write(octal(f.gid ?? 0, 8), 116);
    h.write(octal(f.content.length, 12), 124);
    h.write(octal(Math.floor(Date.now() / 1000), 12), 136);
    h.write("        ", 148); // checksum field counts as spaces while summing
    h.write("0", 156); // regular file
    h.write("ustar\0", 257);
    h.write("00", 263);
    h.write(prefix, 345, 155);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octal(sum, 7) + " ", 148);
    return h;
}

export function tarOf(files: TarFile[]): Buffer {
    const parts: Buffer[] = [];
    for (const f of files) {
        parts.push(header(f), f.content, Buffer.alloc((512 - (f.content.length % 512)) % 512, 0));
    }
    parts.push(Buffer.alloc(1024, 0));
    return Buffer.concat(parts);
}
