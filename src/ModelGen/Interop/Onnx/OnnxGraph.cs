using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Interop.Onnx;

/// <summary>ONNX <c>TensorProto.DataType</c> values used here.</summary>
internal enum OnnxType
{
    Float = 1,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
}

/// <summary>A node attribute: one of int, float, string, ints, floats or strings.</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, string? String = null,
    long[]? Ints = null, float[]? Floats = null, string[]? Strings = null)
{
    public static implicit operator OnnxAttribute((string Name, long Value) a) => new(a.Name, Int: a.Value);
    public static implicit operator OnnxAttribute((string Name, string Value) a) => new(a.Name, String: a.Value);
    public static implicit operator OnnxAttribute((string Name, string[] Value) a) => new(a.Name, Strings: a.Value);
    public static implicit operator OnnxAttribute((string Name, float[] Value) a) => new(a.Name, Floats: a.Value);
    public static implicit operator OnnxAttribute((string Name, long[] Value) a) => new(a.Name, Ints: a.Value);
}

/// <summary>
/// Builds one ONNX graph (nodes, initializers, inputs, outputs) and serialises it as a <c>ModelProto</c> with the
/// field numbers of <c>onnx/onnx.proto</c>. Node outputs get unique generated names.
/// </summary>
internal sealed class OnnxGraph
{
    private sealed record Node(string Op, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes);
    private sealed record Initializer(string Name, OnnxType Type, long[] Dims, byte[] Data);
    private sealed record Value(string Name, OnnxType Type, object[] Dims); // dims: long or string (symbolic)

    private readonly List<Node> _nodes = [];
    private readonly List<Initializer> _initializers = [];
    private readonly List<Value> _inputs = [];
    private readonly List<Value> _outputs = [];
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
    private int _next;

    public string Name { get; init; } = "graph";

    public void Input(string name, OnnxType type, params object[] dims) => _inputs.Add(new(name, type, dims));

    public void Output(string name, OnnxType type, params object[] dims) => _outputs.Add(new(name, type, dims));

    private string Fresh(string hint) => $"{hint}_{_next++}";

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Add(string op, string[] inputs, params OnnxAttribute[] attributes) => AddMany(op, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] AddMany(string op, string[] inputs, int outputs, params OnnxAttribute[] attributes)
    {
        var names = Enumerable.Range(0, outputs).Select(_ => Fresh(op)).ToArray();
        _nodes.Add(new Node(op, inputs, names, attributes));
        return names;
    }

    /// <summary>Adds a node writing to a given output name (a graph output).</summary>
    public void AddTo(string output, string op, string[] inputs, params OnnxAttribute[] attributes) =>
        _nodes.Add(new Node(op, inputs, [output], attributes));

    /// <summary>A float initializer; <paramref name="name"/> null gets a generated one.</summary>
    public string Floats(ReadOnlySpan<float> values, long[] dims, string? name = null)
    {
        var data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        name ??= Fresh("const");
        _initializers.Add(new(name, OnnxType.Float, dims, data));
        return name;
    }

    /// <summary>An int64 constant (shared between uses with the same values and shape).</summary>
    public string Int64s(long[] values, long[] dims)
    {
        string key = "i64:" + string.Join(",", dims) + ":" + string.Join(",", values);
        if (_constants.TryGetValue(key, out var existing)) return existing;
        var data = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(i * 8), values[i]);
        string name = Fresh("const");
        _initializers.Add(new(name, OnnxType.Int64, dims, data));
        return _constants[key] = name;
    }

    /// <summary>A scalar float constant (shared).</summary>
    public string Scalar(float value)
    {
        string key = "f32:" + BitConverter.SingleToInt32Bits(value);
        if (_constants.TryGetValue(key, out var existing)) return existing;
        return _constants[key] = Floats([value], []);
    }

    /// <summary>A 1-D int64 vector constant.</summary>
    public string Vector(params long[] values) => Int64s(values, [values.Length]);

    /// <summary>A scalar int64 constant.</summary>
    public string Int64Scalar(long value) => Int64s([value], []);

    /// <summary>The serialised <c>ModelProto</c>.</summary>
    public byte[] ToModel(long opset, string producer, string producerVersion, IReadOnlyDictionary<string, string> metadata)
    {
        var w = new ProtoWriter();
        w.Int(1, 8);                        // ir_version (IR 8 goes with opsets up to 18)
        w.String(2, producer);              // producer_name
        w.String(3, producerVersion);       // producer_version
        w.Message(7, WriteGraph);           // graph
        w.Message(8, o => { o.String(1, ""); o.Int(2, opset); }); // opset_import: default domain
        foreach (var (key, value) in metadata)
            w.Message(14, m => { m.String(1, key); m.String(2, value); }); // metadata_props: StringStringEntryProto
        return w.ToArray();
    }

    private void WriteGraph(ProtoWriter g)
    {
        foreach (var n in _nodes) g.Message(1, w => WriteNode(w, n));
        g.String(2, Name);
        foreach (var t in _initializers)
            g.Message(5, w =>
            {
                foreach (long d in t.Dims) w.Int(1, d);   // dims
                w.Int(2, (long)t.Type);                   // data_type
                w.String(8, t.Name);                      // name
                w.Bytes(9, t.Data);                       // raw_data, little-endian
            });
        foreach (var v in _inputs) g.Message(11, w => WriteValue(w, v));
        foreach (var v in _outputs) g.Message(12, w => WriteValue(w, v));
    }

    private static void WriteNode(ProtoWriter w, Node n)
    {
        foreach (var i in n.Inputs) w.String(1, i);
        foreach (var o in n.Outputs) w.String(2, o);
        w.String(3, n.Outputs[0] + "_node");
        w.String(4, n.Op);
        foreach (var a in n.Attributes) w.Message(5, aw => WriteAttribute(aw, a));
    }

    // AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, strings 9, type 20
    // (AttributeType FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7, STRINGS 8).
    private static void WriteAttribute(ProtoWriter w, OnnxAttribute a)
    {
        w.String(1, a.Name);
        if (a.Float is float f) { w.Float(2, f); w.Int(20, 1); }
        else if (a.Int is long i) { w.Int(3, i); w.Int(20, 2); }
        else if (a.String is string s) { w.String(4, s); w.Int(20, 3); }
        else if (a.Floats is float[] fs) { foreach (var x in fs) w.Float(7, x); w.Int(20, 6); }
        else if (a.Ints is long[] ints) { foreach (var x in ints) w.Int(8, x); w.Int(20, 7); }
        else if (a.Strings is string[] ss) { foreach (var x in ss) w.String(9, x); w.Int(20, 8); }
        else throw new InvalidOperationException($"attribute '{a.Name}' has no value");
    }

    // ValueInfoProto: name 1, type 2 → TypeProto.tensor_type 1 → elem_type 1, shape 2 → dim 1 → dim_value 1 | dim_param 2.
    private static void WriteValue(ProtoWriter w, Value v)
    {
        w.String(1, v.Name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int(1, (long)v.Type);
            tensor.Message(2, shape =>
            {
                foreach (var d in v.Dims)
                    shape.Message(1, dim =>
                    {
                        if (d is string p) dim.String(2, p);
                        else dim.Int(1, Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture));
                    });
            });
        }));
    }
}
