using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ModelGen.Interop.Onnx;

/// <summary>
/// The part of the protocol-buffers wire format an ONNX writer needs: varints (wire type 0), 32-bit floats
/// (wire type 5) and length-delimited strings, bytes and nested messages (wire type 2). Repeated scalars are
/// written unpacked, one tag each, which every proto2 and proto3 parser accepts.
/// </summary>
/// <remarks>
/// Hand-written rather than Google.Protobuf-generated so that the core package keeps no dependency and stays
/// trimming- and NativeAOT-clean; ONNX Runtime reading the files back is the test.
/// </remarks>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.Write([(byte)(value | 0x80)]);
            value >>= 7;
        }
        _buffer.Write([(byte)value]);
    }

    /// <summary>An int32, int64 or enum field (negative values take ten bytes, as the format says).</summary>
    public void Int(int field, long value)
    {
        Tag(field, 0);
        Varint((ulong)value);
    }

    public void Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A nested message, written by <paramref name="body"/>.</summary>
    public void Message(int field, Action<ProtoWriter> body)
    {
        var inner = new ProtoWriter();
        body(inner);
        Bytes(field, inner._buffer.WrittenSpan);
    }
}
