/**
 * The protocol-buffers wire format, writing side only: what it takes to emit an ONNX
 * model (onnx-proto.ts). Nine messages of one schema do not earn a protobuf library and
 * its generated code; the format itself is four rules (varints, zigzag-free int64s,
 * length-delimited bytes and fixed32 floats).
 */
export class ProtoWriter {
  private chunks: Uint8Array[] = []
  private scratch: number[] = []
  private length = 0

  private flush(): void {
    if (this.scratch.length === 0) return
    this.push(Uint8Array.from(this.scratch))
    this.scratch = []
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes)
    this.length += bytes.length
  }

  private varint(value: number | bigint): void {
    // int64 fields carry negative values as their 64-bit two's complement (10 bytes).
    let v = BigInt.asUintN(64, BigInt(value))
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80)
      v >>= 7n
    }
    this.scratch.push(Number(v))
  }

  private tag(field: number, wireType: 0 | 2 | 5): void {
    this.varint((field << 3) | wireType)
  }

  /** int32, int64 and enum fields (wire type 0). */
  int(field: number, value: number | bigint): this {
    this.tag(field, 0)
    this.varint(value)
    return this
  }

  /** float fields (wire type 5, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, 5)
    const b = new Uint8Array(new Float32Array([value]).buffer)
    for (const x of b) this.scratch.push(x)
    return this
  }

  /** bytes fields, and the payload of packed repeated fields. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2)
    this.varint(value.length)
    this.flush()
    this.push(value)
    return this
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value))
  }

  /** An embedded message. */
  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish())
  }

  finish(): Uint8Array {
    this.flush()
    const out = new Uint8Array(this.length)
    let at = 0
    for (const c of this.chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }
}
