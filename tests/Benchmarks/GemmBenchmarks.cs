using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using ModelGen.Kernels;

namespace ModelGen.Benchmarks;

/// <summary>
/// <see cref="Gemm"/> alone at W3's gate-product shapes (Embedding(2000, 128) + LSTM(196), batch 64, 28 steps: 784
/// gate columns), with a GFLOP/s column (2·m·n·k per call) to set against the machine's sgemm peak. Not part of
/// the workload comparison: run it with <c>--filter '*Gemm*'</c>, once per width (<c>DOTNET_EnableAVX512=0</c>,
/// <c>DOTNET_PreferredVectorBitWidth=128</c>, <c>DOTNET_EnableAVX=0</c>); the vector width in use is printed by the global setup.
/// </summary>
[Config(typeof(GflopsConfig))]
public class GemmBenchmarks
{
    /// <summary>A product: its form and m × n × k.</summary>
    /// <param name="Name">What it is in W3.</param>
    /// <param name="Transposed">True for <c>C += Aᵀ·B</c>.</param>
    /// <param name="M">Rows of C.</param>
    /// <param name="N">Columns of C.</param>
    /// <param name="K">The summed dimension.</param>
    public sealed record Shape(string Name, bool Transposed, int M, int N, int K)
    {
        /// <summary>Floating-point operations per call: a multiply and an add per term.</summary>
        public double Flops => 2.0 * M * N * K;

        /// <inheritdoc/>
        public override string ToString() => $"{Name} {M}x{N}x{K}";
    }

    /// <summary>W3's products (batch 64 × 28 steps = 1792 rows), and a small one of W2 (LSTM(30), batch 32).</summary>
    public static Shape[] Shapes { get; } =
    [
        new("x·W", false, 1792, 784, 128),       // input projection, all steps at once
        new("h·U", false, 64, 784, 196),         // recurrent product, one step
        new("dz·Uᵀ", false, 64, 196, 784),       // backward through the recurrent product, one step
        new("hᵀ·dz", true, 196, 784, 1792),      // recurrent kernel gradient, all steps
        new("xᵀ·dz", true, 128, 784, 1792),      // kernel gradient, all steps
        new("W2 h·U", false, 32, 120, 30),       // a small per-step product
    ];

    private float[] _a = [], _b = [], _c = [];

    /// <summary>The product timed.</summary>
    [ParamsSource(nameof(Shapes))]
    public Shape Product { get; set; } = Shapes[0];

    /// <summary>Random operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var s = Product;
        _a = Fill(s.M * s.K, random);
        _b = Fill(s.K * s.N, random);
        _c = new float[s.M * s.N];
        Console.WriteLine($"// Gemm at {Gemm.VectorBits} bits, {ModelGen.Threading.IntraOpThreads} thread(s); Vector<float>: {System.Numerics.Vector<float>.Count} lanes, accelerated {System.Numerics.Vector.IsHardwareAccelerated}");
    }

    /// <summary>One call of the product.</summary>
    [Benchmark]
    public void Multiply()
    {
        var s = Product;
        if (s.Transposed) Gemm.MultiplyAddTransposedA(s.M, s.N, s.K, _a, s.M, _b, s.N, _c, s.N);
        else Gemm.MultiplyAdd(s.M, s.N, s.K, _a, s.K, _b, s.N, _c, s.N);
    }

    private static float[] Fill(int length, Random random)
    {
        var v = new float[length];
        for (int i = 0; i < v.Length; i++) v[i] = random.NextSingle() - 0.5f;
        return v;
    }

    /// <summary>The benchmark program's jobs plus the GFLOP/s column.</summary>
    public sealed class GflopsConfig : ManualConfig
    {
        /// <summary>Adds the column.</summary>
        public GflopsConfig() => AddColumn(new GflopsColumn());
    }

    /// <summary>2·m·n·k ÷ the mean time of a call, in GFLOP/s.</summary>
    public sealed class GflopsColumn : IColumn
    {
        /// <inheritdoc/>
        public string Id => "GFLOPS";
        /// <inheritdoc/>
        public string ColumnName => "GFLOP/s";
        /// <inheritdoc/>
        public bool AlwaysShow => true;
        /// <inheritdoc/>
        public ColumnCategory Category => ColumnCategory.Custom;
        /// <inheritdoc/>
        public int PriorityInCategory => 0;
        /// <inheritdoc/>
        public bool IsNumeric => true;
        /// <inheritdoc/>
        public UnitType UnitType => UnitType.Dimensionless;
        /// <inheritdoc/>
        public string Legend => "Floating-point operations per second of the product (2·m·n·k per call), in billions";
        /// <inheritdoc/>
        public bool IsAvailable(Summary summary) => true;
        /// <inheritdoc/>
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        /// <inheritdoc/>
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        /// <inheritdoc/>
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            var shape = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<Shape>().FirstOrDefault();
            if (report?.ResultStatistics is not { } stats || shape is null) return "-";
            return (shape.Flops / stats.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture); // flop per ns = GFLOP/s
        }
    }
}
