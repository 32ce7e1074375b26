using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// tanh and the logistic sigmoid on whole SIMD vectors, for the generated cells to apply inside their own fused
/// loops (the value stays in a register between the gate product and the state update), and on spans.
/// </summary>
/// <remarks>
/// <para>
/// tanh is a rational function, <c>x·P(x²) / Q(x²)</c> with P and Q of degree 4 in x², x² clamped to 100 (in effect |x| to 10) and
/// the quotient to ±1: eight multiply-adds, two multiplies, one division and three clamps, the form Eigen's float tanh
/// takes (degrees 13/6 in x there, 9/8 here).
/// Its relative error over every float is at most 3.4e-7 with fused multiply-adds and 4.1e-7 without (SSE): 6 and
/// 7 ulp just below 1, where floats are 6e-8 apart, less elsewhere. It is odd to the bit, ±∞ give ±1, and no value
/// exceeds 1 in magnitude. It replaced
/// <c>−m / (m + 2)</c> with <c>m = e^{−2|x|} − 1</c> (1.6e-7), which took 1.75× as long per value.
/// </para>
/// <para>
/// The sigmoid is built on an exponential core, <c>e^s = 2^n · (1 + p(r))</c> with <c>n = round(s / ln 2)</c>
/// (rounded by adding a bias, whose low bits then hold n for the exponent field), <c>r = s − n·ln 2</c> (Cody and
/// Waite's two-part ln 2, so r is exact to a few ulp) and <c>p(r) = e^r − 1</c> as a degree-6 minimax polynomial
/// (|r| ≤ ln 2 / 2, relative error 1.3e-8), evaluated in Estrin's form with 1 + e^s as one multiply-add,
/// <c>2^n·p + (2^n + 1)</c>: relative error at most 1.8e-7 over every float in [−87, 87] with fused multiply-adds and
/// without (3 ulp), also far into the tails (σ(−80) ≈ 1.8e-35). Below −87 the argument is clamped and the value stays
/// e^−87 ≈ 1.6e-38 (a normal float), not the true, smaller value. The unit tests bound both against double precision.
/// That form replaced Horner's (1.5e-7) because its dependency chain is shorter: 49 cycles from argument to value
/// instead of 60 on a Zen 5 at 256 bits, where a core keeps only about seven sigmoids in flight, so a loop of them
/// ran 7.2 instead of 8.3 cycles a vector, and W2 inference took 2.6 % less time at 256 bits.
/// </para>
/// <para>
/// Why not <c>TensorPrimitives.Tanh</c>: it is as accurate, but a call per 30- or 60-wide gate row costs more than
/// the row's arithmetic, and it cannot be fused with the products and state updates around it. The vector
/// functions here use only IEEE operations lane by lane, so the 128-, 256- and 512-bit forms, and the span
/// forms, give bit-identical results for the same input (each multiply-add is fused where the hardware fuses,
/// FMA3 or NEON, and a rounded product and sum elsewhere, at every width alike). Use the widest width
/// <c>IsHardwareAccelerated</c> reports: a wider one falls back to slow software emulation. NaN propagates; ±∞ give ±1 (tanh), 1 and 1.6e-38 (sigmoid).
/// </para>
/// </remarks>
public static class FastMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693145751953125f;        // ln 2 rounded to 15 significant bits: n·Ln2Hi is exact for |n| < 512
    private const float Ln2Lo = 1.42860682030941723212e-6f; // ln 2 − Ln2Hi
    // tanh: a·P(a²) / Q(a²), P and Q of degree 4 with P(0) = Q(0) = 1, fitted for the least largest relative error
    // over [0, 9] (iteratively reweighted least squares, then the float coefficients tuned a few ulp each:
    // tests/fixtures/fit_fastmath.py): 2e-8 before the coefficients are rounded to float, 1e-7 after, in exact
    // arithmetic; a few ulp evaluated in float. From about 9.16 the exact quotient exceeds 1 and is clamped to it (tanh
    // rounds to 1 from 9.01); at 10, where x² reaches its clamp, it is 1.0000018 (15 ulp above 1), so ±∞ give exactly ±1 whatever
    // the rounding of the multiply-adds. The clamp is on x² (at 100), not on x: for |x| ≤ 10 that is the same x and
    // x², and beyond it x·P(100)/Q(100) only grows past 1.0000018 (to ±∞ at worst, never NaN: Q(100) is finite), so
    // the output clamp gives ±1 exactly as clamping x to ±10 did: the same bits for every input, one operation fewer.
    private const float TanhLimit = 10f;
    private const float P1 = 0.1338396966457367f, P2 = 0.0034989826381206512f, P3 = 2.0661032976931892e-05f, P4 = 1.341949218414129e-08f;
    private const float Q1 = 0.46717286109924316f, Q2 = 0.025890154764056206f, Q3 = 0.0003291016910225153f, Q4 = 7.804595156812866e-07f;
    private const float SigmoidLimit = 87f; // e^87 < float.MaxValue, e^-87 is still a normal float
    // n = round(s / ln 2) as the float s·log₂e + 1.5·2²³ + 127, whose spacing is 1: n is that minus the bias, and its
    // low bits are n + 127 (plus 2²², shifted out), so shifting them to the exponent field gives 2^n with no rounding
    // or conversion instruction. |n| ≤ 126 for |s| ≤ 87.
    private const float RoundingBias = 12583039f;
    // e^r − 1 ≈ r + r²·(E2 + E3·r + … + E6·r⁴) on |r| ≤ ln 2 / 2, minimax in relative error (1.3e-8; tests/fixtures/fit_fastmath.py).
    private const float E2 = 0.4999999701976776f, E3 = 0.1666654348373413f, E4 = 0.04166720062494278f, E5 = 0.008366510272026062f, E6 = 0.0013882509665563703f;

    // ------------------------------------------------------------------ one body per width
    // Written out once per width: the generic vector interface (ISimdVector<TSelf, T>) that would let one body
    // serve every width is internal to the .NET 10 runtime, and going through Vector<T> would fix one width.

    // True where a fused multiply-add runs in hardware (x64 with FMA3, ARM64).
    private static bool HardwareFusedMultiplyAdd => Fma.IsSupported || AdvSimd.IsSupported;

    // ------------------------------------------------------------------ 128-bit (SSE, NEON)

    /// <summary>tanh of each lane.</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>tanh of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        // x² clamped to the limit's square (one operation where clamping x takes two: see TanhLimit). A NaN x carries
        // through x·p whatever MinNative does with it.
        var t = Vector128.MinNative(Vector128.Create(TanhLimit * TanhLimit), x * x);
        var p = MultiplyAdd(MultiplyAdd(MultiplyAdd(MultiplyAdd(Vector128.Create(P4), t, Vector128.Create(P3)), t, Vector128.Create(P2)), t, Vector128.Create(P1)), t, Vector128<float>.One);
        var q = MultiplyAdd(MultiplyAdd(MultiplyAdd(MultiplyAdd(Vector128.Create(Q4), t, Vector128.Create(Q3)), t, Vector128.Create(Q2)), t, Vector128.Create(Q1)), t, Vector128<float>.One);
        var y = x * p / q;
        return Vector128.MaxNative(-Vector128<float>.One, Vector128.MinNative(Vector128<float>.One, y));
    }

    /// <summary>1 / (1 + e^−x) of each lane.</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The logistic sigmoid of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x)
    {
        // σ(x) = 1 / (1 + e^s), s = −x = n·ln 2 + r. The argument is clamped as x (not −x, one negation fewer) and
        // the reduced argument kept negated, u = −r, with the odd coefficients negated to match; the polynomial is
        // in Estrin's form (u² beside the first terms) and 1 + e^s is one multiply-add, 2^n·p + (2^n + 1): a chain
        // about a quarter shorter than Horner's, which lets the core overlap more of them (see the remarks).
        var xc = Vector128.MaxNative(Vector128.Create(-SigmoidLimit), Vector128.MinNative(Vector128.Create(SigmoidLimit), x));
        var k = MultiplyAdd(xc, Vector128.Create(-Log2E), Vector128.Create(RoundingBias));
        var n = k - Vector128.Create(RoundingBias);
        var u = MultiplyAdd(n, Vector128.Create(Ln2Hi), xc);
        u = MultiplyAdd(n, Vector128.Create(Ln2Lo), u);
        var u2 = u * u;
        var a = MultiplyAdd(Vector128.Create(-E3), u, Vector128.Create(E2));
        var b = MultiplyAdd(Vector128.Create(-E5), u, Vector128.Create(E4));
        b = MultiplyAdd(Vector128.Create(E6), u2, b);
        var p = MultiplySubtract(MultiplyAdd(b, u2, a), u2, u); // e^r − 1 = r + r²·q(r)
        var scale = Vector128.ShiftLeft(k.AsInt32(), 23).AsSingle(); // 2^n
        return Vector128<float>.One / MultiplyAdd(scale, p, scale + Vector128<float>.One);
    }

    /// <summary>Keras 3's and PyTorch's hard sigmoid, <c>clip(x / 6 + 1/2, 0, 1)</c>, of each lane.</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The hard sigmoid of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> HardSigmoid(Vector128<float> x)
        => Vector128.Min(Vector128.Max(MultiplyAdd(x, Vector128.Create(1f / 6f), Vector128.Create(0.5f)), Vector128<float>.Zero), Vector128<float>.One);

    // a·b + c: fused where the hardware fuses (FMA3, NEON), else a rounded product and sum; the same choice at
    // every width, so the widths stay bit-identical. (A software fused multiply-add, which .NET substitutes when
    // the hardware has none, would cost a call per lane.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
        => HardwareFusedMultiplyAdd ? Vector128.FusedMultiplyAdd(a, b, c) : a * b + c;

    // a·b − c, fused or not as MultiplyAdd is (the same rounding at every width). Not MultiplyAdd(a, b, −c): the JIT
    // keeps that negation as an instruction of its own on the sigmoid's chain instead of folding it into a vfmsub.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MultiplySubtract(Vector128<float> a, Vector128<float> b, Vector128<float> c)
        => Fma.IsSupported ? Fma.MultiplySubtract(a, b, c) : HardwareFusedMultiplyAdd ? Vector128.FusedMultiplyAdd(a, b, -c) : a * b - c;

    // ------------------------------------------------------------------ 256-bit

    /// <summary>tanh of each lane.</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>tanh of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        // x² clamped to the limit's square (one operation where clamping x takes two: see TanhLimit). A NaN x carries
        // through x·p whatever MinNative does with it.
        var t = Vector256.MinNative(Vector256.Create(TanhLimit * TanhLimit), x * x);
        var p = MultiplyAdd(MultiplyAdd(MultiplyAdd(MultiplyAdd(Vector256.Create(P4), t, Vector256.Create(P3)), t, Vector256.Create(P2)), t, Vector256.Create(P1)), t, Vector256<float>.One);
        var q = MultiplyAdd(MultiplyAdd(MultiplyAdd(MultiplyAdd(Vector256.Create(Q4), t, Vector256.Create(Q3)), t, Vector256.Create(Q2)), t, Vector256.Create(Q1)), t, Vector256<float>.One);
        var y = x * p / q;
        return Vector256.MaxNative(-Vector256<float>.One, Vector256.MinNative(Vector256<float>.One, y));
    }

    /// <summary>1 / (1 + e^−x) of each lane.</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The logistic sigmoid of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x)
    {
        // σ(x) = 1 / (1 + e^s), s = −x = n·ln 2 + r. The argument is clamped as x (not −x, one negation fewer) and
        // the reduced argument kept negated, u = −r, with the odd coefficients negated to match; the polynomial is
        // in Estrin's form (u² beside the first terms) and 1 + e^s is one multiply-add, 2^n·p + (2^n + 1): a chain
        // about a quarter shorter than Horner's, which lets the core overlap more of them (see the remarks).
        var xc = Vector256.MaxNative(Vector256.Create(-SigmoidLimit), Vector256.MinNative(Vector256.Create(SigmoidLimit), x));
        var k = MultiplyAdd(xc, Vector256.Create(-Log2E), Vector256.Create(RoundingBias));
        var n = k - Vector256.Create(RoundingBias);
        var u = MultiplyAdd(n, Vector256.Create(Ln2Hi), xc);
        u = MultiplyAdd(n, Vector256.Create(Ln2Lo), u);
        var u2 = u * u;
        var a = MultiplyAdd(Vector256.Create(-E3), u, Vector256.Create(E2));
        var b = MultiplyAdd(Vector256.Create(-E5), u, Vector256.Create(E4));
        b = MultiplyAdd(Vector256.Create(E6), u2, b);
        var p = MultiplySubtract(MultiplyAdd(b, u2, a), u2, u); // e^r − 1 = r + r²·q(r)
        var scale = Vector256.ShiftLeft(k.AsInt32(), 23).AsSingle(); // 2^n
        return Vector256<float>.One / MultiplyAdd(scale, p, scale + Vector256<float>.One);
    }

    /// <summary>Keras 3's and PyTorch's hard sigmoid, <c>clip(x / 6 + 1/2, 0, 1)</c>, of each lane.</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The hard sigmoid of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> HardSigmoid(Vector256<float> x)
        => Vector256.Min(Vector256.Max(MultiplyAdd(x, Vector256.Create(1f / 6f), Vector256.Create(0.5f)), Vector256<float>.Zero), Vector256<float>.One);

    // a·b + c: fused where the hardware fuses (FMA3, NEON), else a rounded product and sum; the same choice at
    // every width, so the widths stay bit-identical. (A software fused multiply-add, which .NET substitutes when
    // the hardware has none, would cost a call per lane.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => HardwareFusedMultiplyAdd ? Vector256.FusedMultiplyAdd(a, b, c) : a * b + c;

    // a·b − c, fused or not as MultiplyAdd is (the same rounding at every width). Not MultiplyAdd(a, b, −c): the JIT
    // keeps that negation as an instruction of its own on the sigmoid's chain instead of folding it into a vfmsub.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplySubtract(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplySubtract(a, b, c) : HardwareFusedMultiplyAdd ? Vector256.FusedMultiplyAdd(a, b, -c) : a * b - c;

    // ------------------------------------------------------------------ 512-bit

    /// <summary>tanh of each lane.</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>tanh of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        // x² clamped to the limit's square (one operation where clamping x takes two: see TanhLimit). A NaN x carries
        // through x·p whatever MinNative does with it.
        var t = Vector512.MinNative(Vector512.Create(TanhLimit * TanhLimit), x * x);
        var p = MultiplyAdd(MultiplyAdd(MultiplyAdd(MultiplyAdd(Vector512.Create(P4), t, Vector512.Create(P3)), t, Vector512.Create(P2)), t, Vector512.Create(P1)), t, Vector512<float>.One);
        var q = MultiplyAdd(MultiplyAdd(MultiplyAdd(MultiplyAdd(Vector512.Create(Q4), t, Vector512.Create(Q3)), t, Vector512.Create(Q2)), t, Vector512.Create(Q1)), t, Vector512<float>.One);
        var y = x * p / q;
        return Vector512.MaxNative(-Vector512<float>.One, Vector512.MinNative(Vector512<float>.One, y));
    }

    /// <summary>1 / (1 + e^−x) of each lane.</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The logistic sigmoid of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x)
    {
        // σ(x) = 1 / (1 + e^s), s = −x = n·ln 2 + r. The argument is clamped as x (not −x, one negation fewer) and
        // the reduced argument kept negated, u = −r, with the odd coefficients negated to match; the polynomial is
        // in Estrin's form (u² beside the first terms) and 1 + e^s is one multiply-add, 2^n·p + (2^n + 1): a chain
        // about a quarter shorter than Horner's, which lets the core overlap more of them (see the remarks).
        var xc = Vector512.MaxNative(Vector512.Create(-SigmoidLimit), Vector512.MinNative(Vector512.Create(SigmoidLimit), x));
        var k = MultiplyAdd(xc, Vector512.Create(-Log2E), Vector512.Create(RoundingBias));
        var n = k - Vector512.Create(RoundingBias);
        var u = MultiplyAdd(n, Vector512.Create(Ln2Hi), xc);
        u = MultiplyAdd(n, Vector512.Create(Ln2Lo), u);
        var u2 = u * u;
        var a = MultiplyAdd(Vector512.Create(-E3), u, Vector512.Create(E2));
        var b = MultiplyAdd(Vector512.Create(-E5), u, Vector512.Create(E4));
        b = MultiplyAdd(Vector512.Create(E6), u2, b);
        var p = MultiplySubtract(MultiplyAdd(b, u2, a), u2, u); // e^r − 1 = r + r²·q(r)
        var scale = Vector512.ShiftLeft(k.AsInt32(), 23).AsSingle(); // 2^n
        return Vector512<float>.One / MultiplyAdd(scale, p, scale + Vector512<float>.One);
    }

    /// <summary>Keras 3's and PyTorch's hard sigmoid, <c>clip(x / 6 + 1/2, 0, 1)</c>, of each lane.</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The hard sigmoid of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> HardSigmoid(Vector512<float> x)
        => Vector512.Min(Vector512.Max(MultiplyAdd(x, Vector512.Create(1f / 6f), Vector512.Create(0.5f)), Vector512<float>.Zero), Vector512<float>.One);

    // a·b + c: fused where the hardware fuses (FMA3, NEON), else a rounded product and sum; the same choice at
    // every width, so the widths stay bit-identical. (A software fused multiply-add, which .NET substitutes when
    // the hardware has none, would cost a call per lane.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
        => HardwareFusedMultiplyAdd ? Vector512.FusedMultiplyAdd(a, b, c) : a * b + c;

    // a·b − c, fused or not as MultiplyAdd is (the same rounding at every width). Not MultiplyAdd(a, b, −c): the JIT
    // keeps that negation as an instruction of its own on the sigmoid's chain instead of folding it into a vfmsub.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MultiplySubtract(Vector512<float> a, Vector512<float> b, Vector512<float> c)
        => Avx512F.IsSupported ? Avx512F.FusedMultiplySubtract(a, b, c) : HardwareFusedMultiplyAdd ? Vector512.FusedMultiplyAdd(a, b, -c) : a * b - c;

    // ------------------------------------------------------------------ scalars and spans

    /// <summary>Keras 3's and PyTorch's hard sigmoid, <c>clip(x / 6 + 1/2, 0, 1)</c>, bit-identical to the vector forms.</summary>
    /// <param name="x">The argument.</param>
    /// <returns>The hard sigmoid of <paramref name="x"/>.</returns>
    public static float HardSigmoid(float x) => HardSigmoid(Vector128.Create(x)).ToScalar();

    /// <summary>tanh of one value, bit-identical to the vector forms.</summary>
    /// <param name="x">The argument.</param>
    /// <returns>tanh <paramref name="x"/>.</returns>
    public static float Tanh(float x) => Tanh(Vector128.Create(x)).ToScalar();

    /// <summary>The logistic sigmoid of one value, bit-identical to the vector forms.</summary>
    /// <param name="x">The argument.</param>
    /// <returns>1 / (1 + e^−<paramref name="x"/>).</returns>
    public static float Sigmoid(float x) => Sigmoid(Vector128.Create(x)).ToScalar();

    /// <summary><c>y[i] = tanh(x[i])</c>; <paramref name="y"/> may be <paramref name="x"/>, but no other overlap.</summary>
    /// <param name="x">The arguments.</param>
    /// <param name="y">The results, at least as long as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => Map<TanhFunction>(x, y);

    /// <summary><c>y[i] = 1 / (1 + e^−x[i])</c>; <paramref name="y"/> may be <paramref name="x"/>, but no other overlap.</summary>
    /// <param name="x">The arguments.</param>
    /// <param name="y">The results, at least as long as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => Map<SigmoidFunction>(x, y);

    /// <summary><c>y[i] = clip(x[i] / 6 + 1/2, 0, 1)</c>; <paramref name="y"/> may be <paramref name="x"/>, but no other overlap.</summary>
    /// <param name="x">The arguments.</param>
    /// <param name="y">The results, at least as long as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void HardSigmoid(ReadOnlySpan<float> x, Span<float> y) => Map<HardSigmoidFunction>(x, y);

    private interface IVectorFunction
    {
        static abstract Vector512<float> Apply(Vector512<float> x);
        static abstract Vector256<float> Apply(Vector256<float> x);
        static abstract Vector128<float> Apply(Vector128<float> x);
    }

    private readonly struct TanhFunction : IVectorFunction
    {
        public static Vector512<float> Apply(Vector512<float> x) => Tanh(x);
        public static Vector256<float> Apply(Vector256<float> x) => Tanh(x);
        public static Vector128<float> Apply(Vector128<float> x) => Tanh(x);
    }

    private readonly struct SigmoidFunction : IVectorFunction
    {
        public static Vector512<float> Apply(Vector512<float> x) => Sigmoid(x);
        public static Vector256<float> Apply(Vector256<float> x) => Sigmoid(x);
        public static Vector128<float> Apply(Vector128<float> x) => Sigmoid(x);
    }

    private readonly struct HardSigmoidFunction : IVectorFunction
    {
        public static Vector512<float> Apply(Vector512<float> x) => HardSigmoid(x);
        public static Vector256<float> Apply(Vector256<float> x) => HardSigmoid(x);
        public static Vector128<float> Apply(Vector128<float> x) => HardSigmoid(x);
    }

    // The widest vectors the hardware accelerates (512, 256, then 128 bits), each width taking what the wider one
    // left. A ragged end of 4 or more elements is one more 128-bit vector over the last 4, loaded before anything
    // is stored (so an in-place call reads original values) and stored last; it rewrites the elements it shares
    // with the loops with the same values. Under 4 elements, a padded 128-bit vector on the stack.
    private static void Map<TFunction>(ReadOnlySpan<float> x, Span<float> y) where TFunction : struct, IVectorFunction
    {
        int n = Check(x, y);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        if (n < 4)
        {
            if (n == 0) return;
            Span<float> padded = stackalloc float[4];
            x.CopyTo(padded);
            var v = TFunction.Apply(Vector128.Create<float>(padded));
            for (int k = 0; k < n; k++) Unsafe.Add(ref ys, k) = v.GetElement(k);
            return;
        }
        var last = Vector128.LoadUnsafe(ref xs, (nuint)(n - 4));
        int i = 0;
        if (Wide.IsAccelerated)
        {
            for (; i + 16 <= n; i += 16) TFunction.Apply(Vector512.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8) TFunction.Apply(Vector256.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
        }
        for (; i + 4 <= n; i += 4) TFunction.Apply(Vector128.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
        if (i < n) TFunction.Apply(last).StoreUnsafe(ref ys, (nuint)(n - 4));
    }

    private static int Check(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length)
            throw new ArgumentException($"the destination holds {y.Length} floats, but the source has {x.Length}", nameof(y));
        return x.Length;
    }
}
