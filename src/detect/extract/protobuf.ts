/**
 * Protocol Buffers' wire format (https://protobuf.dev/programming-guides/encoding/), read without a
 * schema: a message is a list of numbered fields, each a varint, a 64- or 32-bit value or a
 * length-delimited run (a string, bytes or a nested message). iWork's archives (iwa-objects.ts) are
 * made of such messages. Anything that does not fit (a length past the end, a varint that never ends,
 * the deprecated group wire types) is damage: ProtobufError, never guessed around.
 */

export class ProtobufError extends Error {}

/** One field's value: a number for varints (exact up to 2^53), the bytes for the others. */
export type ProtoValue = number | Uint8Array;

/** A message's fields, by number, in the order they come (a repeated field has several). */
export type ProtoFields = Map<number, ProtoValue[]>;

/** Reads a varint at `pos`: [value, next position]. */
export function readVarint(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= b.length || shift > 63) throw new ProtobufError('a varint runs past its message');
    const byte = b[pos++];
    v += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [v, pos];
  }
}

export function readFields(b: Uint8Array): ProtoFields {
  const out: ProtoFields = new Map();
  for (let pos = 0; pos < b.length; ) {
    const [key, p] = readVarint(b, pos);
    pos = p;
    const field = Math.floor(key / 8);
    let value: ProtoValue;
    switch (key & 7) {
      case 0:
        [value, pos] = readVarint(b, pos);
        break;
      case 1:
      case 5: {
        const n = (key & 7) === 1 ? 8 : 4;
        if (pos + n > b.length) throw new ProtobufError('a fixed-size field runs past its message');
        value = b.subarray(pos, (pos += n));
        break;
      }
      case 2: {
        const [n, q] = readVarint(b, pos);
        if (q + n > b.length) throw new ProtobufError('a length-delimited field runs past its message');
        value = b.subarray(q, (pos = q + n));
        break;
      }
      default:
        throw new ProtobufError(`a field of wire type ${key & 7}`);
    }
    if (field === 0) throw new ProtobufError('a field numbered 0');
    const list = out.get(field);
    if (list) list.push(value);
    else out.set(field, [value]);
  }
  return out;
}

/** The first value of a varint field, or undefined (absent, or not a varint). */
export function varintField(f: ProtoFields, n: number): number | undefined {
  const v = f.get(n)?.[0];
  return typeof v === 'number' ? v : undefined;
}

/** The first value of a length-delimited field, or undefined (absent, or not bytes). */
export function bytesField(f: ProtoFields, n: number): Uint8Array | undefined {
  const v = f.get(n)?.[0];
  return v instanceof Uint8Array ? v : undefined;
}

/** Every length-delimited value of a repeated field. */
export function bytesFields(f: ProtoFields, n: number): Uint8Array[] {
  return (f.get(n) ?? []).filter((v): v is Uint8Array => v instanceof Uint8Array);
}
