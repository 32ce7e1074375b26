using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace ModelGen.Kernels;

/// <summary>
/// Row-major single-precision matrix products used by the generated cells: <c>C += A·B</c>,
/// <c>C += Aᵀ·B</c>, <c>C = 1·biasᵀ + A·B</c> (the register tiles start from the bias row) and <c>C = A·B</c> (from
/// zero), at the widest vector width the hardware accelerates that a row of C holds (512, 256 or 128 bits,
/// else scalar: 10 columns take 256-bit vectors on an AVX-512 machine).
/// </summary>
/// <remarks>
/// <para>
/// Products with at least one register tile of rows are computed as BLIS and OpenBLAS do: k is cut into blocks of
/// <c>KC</c>, the rows into blocks of <c>MC</c>; each panel of <c>NR</c> columns of B is packed <c>[p][NR]</c>, and a
/// micro-kernel accumulates an <c>MR × NR</c> tile of C in registers: 8 × 32 with AVX-512
/// (16 of the 32 zmm registers), 6 × 16 with AVX2 (12 of the 16 ymm registers, as the Haswell and Zen kernels of
/// BLIS and OpenBLAS) or 4 × 24 where that pads the product less (an LSTM(30)'s 32 × 120 gate product: 36 × 128 in
/// 6 × 16 tiles), 6 × 8 with 128-bit vectors (12 registers: SSE's 16 or NEON's 32), or 8 × 12 where the register file
/// has 32 (ARM64's NEON; x64 with AVX-512) and that pads the product no more. The kernel reads a
/// row-major A in place (each tile's rows are contiguous runs of k); Aᵀ, whose tile rows are adjacent but whose steps
/// are a row apart, and a last tile of fewer than <c>MR</c> rows are packed into tiles laid out <c>[p][MR]</c>.
/// Packing A cost as much as the product where n is small (W3's ∂G·Wᵀ, n = 128), and reading it in place runs
/// the same multiply-adds in the same order (bit-identical). Packing zero-pads ragged
/// tiles. With AVX-512 a last panel narrower than the tile, of whole rows, runs the tile with masked loads and stores
/// of its w columns (nothing past them is read or written); the 4 × 24 AVX2 tile runs 8–20 columns as whole vectors and
/// its last one to four columns of all four rows packed into one or two vectors (a GRU(30)'s 18-wide last panel: nine
/// multiply-adds a step of k instead of twelve), and the other tiles' last vector overlaps the one before it. Elsewhere,
/// and for a last block of fewer than MR rows, a
/// ragged tile's results go through a tile-sized buffer, so one micro-kernel serves every shape: it starts
/// from the bias row (a zero-padded copy for a narrow panel), or from C itself where its rows are whole (reading a few
/// columns past the panel, never past C's last element), else from a copy of C. The pack buffers are
/// per thread (native memory, 64-byte aligned), made on a thread's first product and grown only for a wider one; B
/// is packed once per block of k for every block of rows. A call allocates nothing on the managed heap after a
/// thread's first, except that <see cref="Multiply"/> and <see cref="MultiplyRows"/> grow a shared row of zeros the first
/// time they see a wider C (kept for the process). In every form C must not overlap A or B.
/// </para>
/// <para>
/// Products with fewer rows than a tile, or too small to pay for packing, go straight through: rows in blocks of four,
/// three or two (two or four vectors of columns at a time, so that each load of B serves every row of the block), and
/// the columns past the blocks one row at a time, eight vectors (then four, two, one), B streamed row by row. A product
/// one vector wide (a SimpleRNN(8)'s ∂U = h[t-1]ᵀ·∂Z over every step) goes eight rows of C at a time, A and B read in
/// place in either form: the packed tile, two vectors wide, would be half padding; one two vectors wide goes through
/// the row blocks (the packed tile's six rows fit 8 or 64 rows badly). Each element of C in a whole vector of columns
/// is one chain, C + Σ_p A(i, p)·B(p, j) in order of p, on every path, so the narrow and direct paths give the packed
/// path's bits, into any C (the direct path's last columns narrower than a vector too: they chain from C in the last vector's lanes).
/// </para>
/// <para>
/// Products of at least <see cref="ParallelWork"/> multiply-adds are split by columns across
/// <see cref="Threading.IntraOpThreads"/> threads, on panel boundaries, with results bit-identical to one thread
/// (<c>KernelPart</c>): every element of C is summed in the same order whatever the split.
/// </para>
/// </remarks>
public static class Gemm
{
    /// <summary><c>C[m×n] += A[m×k] · B[k×n]</c>, all row-major with leading dimensions.</summary>
    /// <param name="m">Rows of A and C, ≥ 0.</param>
    /// <param name="n">Columns of B and C, ≥ 0.</param>
    /// <param name="k">Columns of A, rows of B, ≥ 0.</param>
    /// <param name="a">A, element (i, p) at <c>a[i·lda + p]</c>.</param>
    /// <param name="lda">Leading dimension of A (floats between rows).</param>
    /// <param name="b">B, element (p, j) at <c>b[p·ldb + j]</c>.</param>
    /// <param name="ldb">Leading dimension of B.</param>
    /// <param name="c">C, element (i, j) at <c>c[i·ldc + j]</c>; added to.</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or a leading dimension is shorter than its row (A: <c>k</c> floats, or <c>m</c> for the stored Aᵀ; B and C: <c>n</c>).</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void MultiplyAdd(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        if (!Check(m, n, k, a, (m - 1) * lda + k, lda, k, b, ldb, c, ldc)) return;
        Run(m, n, k, ref MemoryMarshal.GetReference(a), lda, 1, ref MemoryMarshal.GetReference(b), ldb, ref MemoryMarshal.GetReference(c), ldc);
    }

    /// <summary><c>C[m×n] += Aᵀ · B[k×n]</c> where A is stored <c>[k×m]</c> row-major with leading dimension <paramref name="lda"/>.</summary>
    /// <param name="m">Rows of C (columns of the stored A), ≥ 0.</param>
    /// <param name="n">Columns of B and C, ≥ 0.</param>
    /// <param name="k">Rows of the stored A and of B, ≥ 0.</param>
    /// <param name="a">The stored A <c>[k×m]</c>: element (i, p) of Aᵀ at <c>a[p·lda + i]</c>.</param>
    /// <param name="lda">Leading dimension of the stored A.</param>
    /// <param name="b">B, element (p, j) at <c>b[p·ldb + j]</c>.</param>
    /// <param name="ldb">Leading dimension of B.</param>
    /// <param name="c">C, element (i, j) at <c>c[i·ldc + j]</c>; added to.</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or a leading dimension is shorter than its row (A: <c>k</c> floats, or <c>m</c> for the stored Aᵀ; B and C: <c>n</c>).</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void MultiplyAddTransposedA(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        if (!Check(m, n, k, a, (k - 1) * lda + m, lda, m, b, ldb, c, ldc)) return;
        Run(m, n, k, ref MemoryMarshal.GetReference(a), 1, lda, ref MemoryMarshal.GetReference(b), ldb, ref MemoryMarshal.GetReference(c), ldc);
    }

    /// <summary>
    /// <c>C[m×n] = A[m×k] · B[k×n]</c>, C overwritten: the same bits as clearing C's rows and calling
    /// <see cref="MultiplyAdd"/> (each element's chain starts from +0), without a separate pass over C: the packed
    /// path's register tiles start from zero instead of loading C, and the small products' paths write zeros just
    /// before they read C. Like <c>torch.matmul(a, b, out=c)</c> or BLAS sgemm with β = 0. A
    /// cell's input gradient <c>dx = ∂Z·Wᵀ</c>, or a projection without a bias. Split between threads like
    /// <see cref="MultiplyAdd"/>.
    /// </summary>
    /// <param name="m">Rows of A and C, ≥ 0.</param>
    /// <param name="n">Columns of B and C, ≥ 0.</param>
    /// <param name="k">Columns of A, rows of B, ≥ 0 (0: C's rows become zeros).</param>
    /// <param name="a">A, element (i, p) at <c>a[i·lda + p]</c>.</param>
    /// <param name="lda">Leading dimension of A.</param>
    /// <param name="b">B, element (p, j) at <c>b[p·ldb + j]</c>.</param>
    /// <param name="ldb">Leading dimension of B.</param>
    /// <param name="c">C, element (i, j) at <c>c[i·ldc + j]</c>; its m rows of n floats overwritten, the rest of each
    /// leading dimension left as it is. It must not overlap A or B (it is written while they are read).</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or a leading dimension is shorter than its row (A: <c>k</c>; B and C: <c>n</c>).</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        CheckSizes(m, n, k);
        if (m == 0 || n == 0) return;
        CheckC(m, n, c, ldc); // before the zero row is grown for a C that is not there
        MultiplyBias(m, n, k, a, lda, b, ldb, Zeros(n), c, ldc);
    }

    /// <summary>
    /// Rows <c>[rowFrom, rowTo)</c> of <see cref="Multiply"/>'s <c>C = A·B</c>, on the calling thread only, each row
    /// exactly as the whole product computes it: the overwriting form of <see cref="MultiplyAddRows"/> (a GRU's
    /// recurrent product without a bias, at every step).
    /// </summary>
    /// <param name="m">Rows of the whole product (of A and C), ≥ 0.</param>
    /// <param name="rowFrom">First row to compute, 0 ≤ rowFrom ≤ rowTo.</param>
    /// <param name="rowTo">One past the last row to compute, ≤ <paramref name="m"/>.</param>
    /// <param name="n">Columns of B and C, ≥ 0.</param>
    /// <param name="k">Columns of A, rows of B, ≥ 0.</param>
    /// <param name="a">The whole A, element (i, p) at <c>a[i·lda + p]</c>.</param>
    /// <param name="lda">Leading dimension of A.</param>
    /// <param name="b">B, element (p, j) at <c>b[p·ldb + j]</c>.</param>
    /// <param name="ldb">Leading dimension of B.</param>
    /// <param name="c">The whole C, element (i, j) at <c>c[i·ldc + j]</c>; rows of the range overwritten (zeros where
    /// k = 0). It must not overlap A or B.</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, the row range is not within [0, m], or a leading dimension is shorter than its row (A: <c>k</c>; B and C: <c>n</c>).</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void MultiplyRows(int m, int rowFrom, int rowTo, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        CheckRows(m, rowFrom, rowTo);
        CheckSizes(m, n, k);
        if (rowFrom == rowTo || n == 0) return;
        CheckC(m, n, c, ldc);
        MultiplyBiasRows(m, rowFrom, rowTo, n, k, a, lda, b, ldb, Zeros(n), c, ldc);
    }

    // A row of at least n zeros, the bias the overwriting forms start from: shared, never written, grown by whichever
    // thread first needs a longer one (so no allocation after warm-up). Only a longer array replaces it: two threads
    // growing it at once keep the longer of theirs.
    private static float[] s_zeros = new float[64];

    private static ReadOnlySpan<float> Zeros(int n)
    {
        var zeros = Volatile.Read(ref s_zeros);
        while (zeros.Length < n)
        {
            var grown = new float[Math.Max(n, 2 * zeros.Length)];
            var seen = Interlocked.CompareExchange(ref s_zeros, grown, zeros);
            zeros = ReferenceEquals(seen, zeros) ? grown : seen; // another thread's, if it came first: long enough?
        }
        return zeros;
    }

    /// <summary>
    /// <c>C[m×n] = 1·biasᵀ + A[m×k] · B[k×n]</c>: each row of C is <paramref name="bias"/> plus that row of A·B (a
    /// layer's input projection for every step at once, <c>x·W + b</c>). The same bits as
    /// <see cref="MatrixOps.BroadcastRows(int, ReadOnlySpan{float}, Span{float})"/> followed by
    /// <see cref="MultiplyAdd"/>, without the separate pass over C: the register tiles of the packed path start
    /// from the bias row instead of loading C, and the small products' paths write the bias just before they read C.
    /// Split between threads like <see cref="MultiplyAdd"/>, each part starting its own columns from the bias.
    /// </summary>
    /// <param name="m">Rows of A and C, ≥ 0.</param>
    /// <param name="n">Columns of B and C, ≥ 0.</param>
    /// <param name="k">Columns of A, rows of B, ≥ 0 (0: every row of C is the bias).</param>
    /// <param name="a">A, element (i, p) at <c>a[i·lda + p]</c>.</param>
    /// <param name="lda">Leading dimension of A.</param>
    /// <param name="b">B, element (p, j) at <c>b[p·ldb + j]</c>.</param>
    /// <param name="ldb">Leading dimension of B.</param>
    /// <param name="bias">The row added to every row of the product, at least <paramref name="n"/> floats.</param>
    /// <param name="c">C, element (i, j) at <c>c[i·ldc + j]</c>; overwritten.</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or a leading dimension is shorter than its row (A: <c>k</c> floats, or <c>m</c> for the stored Aᵀ; B and C: <c>n</c>).</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void MultiplyBias(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        CheckSizes(m, n, k);
        if (m == 0 || n == 0) return;
        CheckBias(m, n, bias, c, ldc);
        ref float bias0 = ref MemoryMarshal.GetReference(bias);
        ref float c0 = ref MemoryMarshal.GetReference(c);
        if (k == 0)
        {
            BiasRows(m, ref bias0, ref c0, ldc, 0, n);
            return;
        }
        if (!Check(m, n, k, a, (m - 1) * lda + k, lda, k, b, ldb, c, ldc)) return;
        Run(m, n, k, ref MemoryMarshal.GetReference(a), lda, 1, ref MemoryMarshal.GetReference(b), ldb, ref c0, ldc, ref bias0, hasBias: true);
    }

    /// <summary>
    /// Rows [<paramref name="rowFrom"/>, <paramref name="rowTo"/>) of <c>C[m×n] = 1·biasᵀ + A[m×k] · B[k×n]</c>, on
    /// the calling thread only, each row exactly as <see cref="MultiplyBias"/> computes it in the whole product: the
    /// bias form of <see cref="MultiplyAddRows"/> (a GRU's recurrent product <c>h[t-1]·U + b_rec</c> at every step).
    /// </summary>
    /// <param name="m">Rows of the whole product (of A and C), ≥ 0.</param>
    /// <param name="rowFrom">First row to compute, 0 ≤ rowFrom ≤ rowTo.</param>
    /// <param name="rowTo">One past the last row to compute, ≤ <paramref name="m"/>.</param>
    /// <param name="n">Columns of B and C, ≥ 0.</param>
    /// <param name="k">Columns of A, rows of B, ≥ 0.</param>
    /// <param name="a">The whole A, element (i, p) at <c>a[i·lda + p]</c>.</param>
    /// <param name="lda">Leading dimension of A.</param>
    /// <param name="b">B, element (p, j) at <c>b[p·ldb + j]</c>.</param>
    /// <param name="ldb">Leading dimension of B.</param>
    /// <param name="bias">The row added to every row of the product, at least <paramref name="n"/> floats.</param>
    /// <param name="c">The whole C, element (i, j) at <c>c[i·ldc + j]</c>; rows of the range overwritten.</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, the row range is not within [0, m], or a leading dimension is shorter than its row (A: <c>k</c>; B and C: <c>n</c>).</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void MultiplyBiasRows(int m, int rowFrom, int rowTo, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        CheckRows(m, rowFrom, rowTo);
        CheckSizes(m, n, k);
        if (rowFrom == rowTo || n == 0) return;
        CheckBias(m, n, bias, c, ldc);
        ref float bias0 = ref MemoryMarshal.GetReference(bias);
        ref float ci = ref Unsafe.Add(ref MemoryMarshal.GetReference(c), rowFrom * ldc);
        if (k == 0)
        {
            BiasRows(rowTo - rowFrom, ref bias0, ref ci, ldc, 0, n);
            return;
        }
        if (!Check(m, n, k, a, (m - 1) * lda + k, lda, k, b, ldb, c, ldc)) return;
        Kernel(rowTo - rowFrom, n, k, ref Unsafe.Add(ref MemoryMarshal.GetReference(a), rowFrom * lda), lda, 1, ref MemoryMarshal.GetReference(b), ldb,
            ref ci, ldc, 0, n, ref bias0, hasBias: true, pathRows: m);
    }

    /// <summary>
    /// Rows [<paramref name="rowFrom"/>, <paramref name="rowTo"/>) of <c>C[m×n] += A[m×k] · B[k×n]</c>, on the calling
    /// thread only: for a caller that already splits its work by rows (<see cref="RowParallel"/>). Each row is computed
    /// exactly as <see cref="MultiplyAdd"/> on one thread computes it in the whole product (the kernel is chosen for
    /// all <paramref name="m"/> rows), so results do not depend on how the rows are split.
    /// </summary>
    /// <param name="m">Rows of the whole product (of A and C), ≥ 0.</param>
    /// <param name="rowFrom">First row to compute, 0 ≤ rowFrom ≤ rowTo.</param>
    /// <param name="rowTo">One past the last row to compute, ≤ <paramref name="m"/>.</param>
    /// <param name="n">Columns of B and C, ≥ 0.</param>
    /// <param name="k">Columns of A, rows of B, ≥ 0.</param>
    /// <param name="a">The whole A, element (i, p) at <c>a[i·lda + p]</c>.</param>
    /// <param name="lda">Leading dimension of A.</param>
    /// <param name="b">B, element (p, j) at <c>b[p·ldb + j]</c>.</param>
    /// <param name="ldb">Leading dimension of B.</param>
    /// <param name="c">The whole C, element (i, j) at <c>c[i·ldc + j]</c>; rows of the range added to.</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, the row range is not within [0, m], or a leading dimension is shorter than its row (A: <c>k</c>; B and C: <c>n</c>).</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void MultiplyAddRows(int m, int rowFrom, int rowTo, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        CheckRows(m, rowFrom, rowTo);
        if (!Check(m, n, k, a, (m - 1) * lda + k, lda, k, b, ldb, c, ldc) || rowFrom == rowTo) return;
        Kernel(rowTo - rowFrom, n, k, ref Unsafe.Add(ref MemoryMarshal.GetReference(a), rowFrom * lda), lda, 1, ref MemoryMarshal.GetReference(b), ldb,
            ref Unsafe.Add(ref MemoryMarshal.GetReference(c), rowFrom * ldc), ldc, 0, n, pathRows: m);
    }

    /// <summary>
    /// Products of at least this many multiply-adds (m·n·k) are shared between threads when
    /// <see cref="Threading.IntraOpThreads"/> allows more than one: about 15 µs of work on one core, well above the
    /// under-1-µs cost of handing a part to a spinning worker. (When workers must be woken, see
    /// <see cref="ProductWorkers"/>; at 2^19, before that rule, a GRU(30)'s 0.6 M-multiply-add input projection got slower.)
    /// </summary>
    internal const long ParallelWork = 1L << 21;

    /// <summary>Products of fewer multiply-adds than this skip packing (the copies would cost more than they save).</summary>
    internal const long PackedWork = 1L << 14;

    /// <summary>The vector width the products run at: 512, 256, 128, or 32 (scalar).</summary>
    public static int VectorBits =>
        Wide.IsAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 32;

    /// <summary>
    /// The rows of C one register tile computes in the product <c>C[m×n] += A[m×k] · B[k×n]</c> on this machine (the
    /// micro-kernel's MR: 8 at 512 bits, 4 or 6 at 256, 8 or 6 at 128), or 1 where the product takes no tiled path (too
    /// small to pack, or one or two vectors wide). A row slice that starts on a multiple of it (<see cref="MultiplyAddRows"/>)
    /// is whole tiles but for its last one, so a product split by rows between threads costs no more tiles than the whole:
    /// <see cref="RowParallel.Run{TJob}(ref TJob, int, int, int)"/> places its parts' starts on multiples of it.
    /// </summary>
    /// <param name="m">Rows of the whole product (the batch of a recurrent layer's step), ≥ 0.</param>
    /// <param name="n">Columns of B and C, ≥ 0.</param>
    /// <param name="k">Columns of A, rows of B, ≥ 0.</param>
    /// <returns>The tile's row count, ≥ 1. It never changes a result: only where a split falls.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static int RowBlock(int m, int n, int k)
    {
        CheckSizes(m, n, k);
        // The path Kernel takes for the whole product (from 0 to n), as it decides it.
        if (Wide.IsAccelerated && n >= 16) return TiledRows<Tile512>(m, n, k, Vec512.Lanes);
        if (Vector256.IsHardwareAccelerated && n >= 8)
            return Takes4x24(m, n) ? TiledRows<Tile256x24>(m, n, k, Vec256.Lanes) : TiledRows<Tile6x2<Vec256, Vector256<float>>>(m, n, k, Vec256.Lanes);
        if (Vector128.IsHardwareAccelerated && n >= 4)
            return Takes8x12(m, n) ? TiledRows<Tile128x12>(m, n, k, Vec128.Lanes) : TiledRows<Tile6x2<Vec128, Vector128<float>>>(m, n, k, Vec128.Lanes);
        return 1;
    }

    // TTile.MR where Kernel<TTile, …> packs the whole m × n × k product into tiles, else 1 (the narrow and direct paths go row by row).
    private static int TiledRows<TTile>(int m, int n, int k, int lanes) where TTile : struct, ITile
        => Packs<TTile>(m, n, k, lanes, whole: true) ? TTile.MR : 1;

    // Whether Kernel<TTile, …> takes the packed path for columns of an m × n × k product (whole: all n of them): not for
    // one or two vectors of columns taken whole (the narrow path, and the direct path's row blocks), nor for fewer rows
    // than a tile or too little work.
    private static bool Packs<TTile>(int m, int n, int k, int lanes, bool whole) where TTile : struct, ITile
        => !(whole && (n == lanes || n == 2 * lanes)) && m >= TTile.MR && (long)m * n * k >= PackedWork;

    // Columns per panel, NR, of the tile an m × n product takes: two vectors (three for AVX2's 4 × 24; two lanes when
    // scalar). Parts of a split product start on multiples of it, so each part's panels are whole.
    internal static int PanelWidth(int m, int n) =>
        Wide.IsAccelerated ? Tile512.NR
        : Vector256.IsHardwareAccelerated ? (Takes4x24(m, n) ? Tile256x24.NR : Tile6x2<Vec256, Vector256<float>>.NR)
        : Vector128.IsHardwareAccelerated ? (Takes8x12(m, n) ? Tile128x12.NR : Tile6x2<Vec128, Vector128<float>>.NR) : 2;

    // At 256 bits two tiles, 6 × 16 and 4 × 24, both 12 accumulators: the one that pads the whole product less (an
    // LSTM(30)'s 32 × 120 gate product fits 4 × 24 exactly, and is 36 × 128 in 6 × 16 tiles). The choice depends on
    // the whole product's shape alone, so every part and row slice of it takes the same tile.
    private static bool Takes4x24(int m, int n) => Padded(m, n, Tile256x24.MR, Tile256x24.NR) < Padded(m, n, Tile6x2<Vec256, Vector256<float>>.MR, Tile6x2<Vec256, Vector256<float>>.NR);

    // At 128 bits with 32 vector registers (ARM64's NEON; x64 with AVX-512, whose EVEX encoding reaches xmm16–31) an
    // 8 × 12 tile (24 accumulators) where it pads the product no more than 6 × 8: an LSTM(30)'s 32 × 120 gate product
    // fits it exactly (36 × 120 in 6 × 8 tiles). With SSE's or AVX2's 16 registers it would spill.
    private static bool Takes8x12(int m, int n) =>
        (AdvSimd.Arm64.IsSupported || Avx512F.IsSupported) && Padded(m, n, Tile128x12.MR, Tile128x12.NR) <= Padded(m, n, Tile6x2<Vec128, Vector128<float>>.MR, Tile6x2<Vec128, Vector128<float>>.NR);

    // Elements of C the packed path computes for an m × n product in mr × nr tiles, padding included.
    private static long Padded(int m, int n, int mr, int nr) => (long)((m + mr - 1) / mr * mr) * ((n + nr - 1) / nr * nr);

    // ldc must hold a row of C (n floats): a smaller one would overlap rows or reach before the start of the span.
    private static void CheckLdc(int n, int ldc)
    {
        if (ldc < n) throw new ArgumentOutOfRangeException(nameof(ldc), ldc, $"the leading dimension of C must be at least n = {n}, got {ldc}");
    }

    private static void CheckSizes(int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(m < 0 ? nameof(m) : n < 0 ? nameof(n) : nameof(k), $"matrix sizes must be ≥ 0, got m={m}, n={n}, k={k}");
    }

    private static void CheckRows(int m, int rowFrom, int rowTo)
    {
        if (rowFrom < 0 || rowTo < rowFrom || rowTo > m)
            throw new ArgumentOutOfRangeException(nameof(rowFrom), $"rows [{rowFrom}, {rowTo}) are not within the product's {m} rows");
    }

    // The bias forms' C and bias, checked before the k = 0 case, which writes the bias without a product (Check
    // covers C again for the product).
    private static void CheckBias(int m, int n, ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        CheckLdc(n, ldc);
        if (bias.Length < n) throw new ArgumentException($"the bias needs {n} floats, has {bias.Length}", nameof(bias));
        CheckC(m, n, c, ldc);
    }

    // C's leading dimension and length for m ≥ 1 rows of n floats.
    private static void CheckC(int m, int n, Span<float> c, int ldc)
    {
        CheckLdc(n, ldc);
        if (c.Length < (long)(m - 1) * ldc + n) throw new ArgumentException($"C needs {(long)(m - 1) * ldc + n} floats, has {c.Length}", nameof(c));
    }

    // Threads a product is split between: 1 below ParallelWork, else as many as there are threads and whole panels.
    private static int Parts(int m, int n, int k) =>
        (long)m * n * k >= ParallelWork ? Math.Min(Threading.IntraOpThreads, n / PanelWidth(m, n)) : 1;

    private static void Run(int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
        => Run(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, ref Unsafe.NullRef<float>(), hasBias: false);

    private static void Run(int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, ref float bias, bool hasBias)
    {
        int parts = Parts(m, n, k);
        if (parts < 2 || !ProductWorkers.TryRun(parts, m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, ref bias, hasBias))
            Kernel(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, 0, n, ref bias, hasBias);
    }

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/> of a product: the panels of the whole product that
    /// start in its range of columns. Each column goes through the same panel, in the same order of k, as in a
    /// single-threaded call, so a split product is bit-identical to an unsplit one.
    /// </summary>
    internal static void KernelPart(int part, int parts, int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
        => KernelPart(part, parts, m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, ref Unsafe.NullRef<float>(), hasBias: false);

    /// <summary>A part of a product whose C starts from the row <paramref name="bias"/> where <paramref name="hasBias"/>.</summary>
    internal static void KernelPart(int part, int parts, int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, ref float bias, bool hasBias)
    {
        int chunk = (n + parts - 1) / parts, panel = PanelWidth(m, n);
        chunk = (chunk + panel - 1) / panel * panel;
        int from = part * chunk, to = Math.Min(n, from + chunk);
        if (from < to) Kernel(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to, ref bias, hasBias);
    }

    // Validates sizes once so the kernels can index without bounds checks; false when there is nothing to do.
    // lda must hold a stored row of A: k floats (A), or m (the stored Aᵀ); ldb and ldc a row of B and C, n floats.
    // A smaller one (negative in particular) would let rows overlap or reach before the start of the span.
    private static bool Check(int m, int n, int k, ReadOnlySpan<float> a, int aNeeded, int lda, int aRow, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        CheckSizes(m, n, k);
        if (m == 0 || n == 0 || k == 0) return false;
        if (lda < aRow) throw new ArgumentOutOfRangeException(nameof(lda), lda, $"the leading dimension of A must be at least {aRow} (a stored row), got {lda}");
        if (ldb < n) throw new ArgumentOutOfRangeException(nameof(ldb), ldb, $"the leading dimension of B must be at least n = {n}, got {ldb}");
        CheckLdc(n, ldc);
        if (a.Length < aNeeded) throw new ArgumentException($"A needs {aNeeded} floats, has {a.Length}", nameof(a));
        if (b.Length < (k - 1) * ldb + n) throw new ArgumentException($"B needs {(k - 1) * ldb + n} floats, has {b.Length}", nameof(b));
        if (c.Length < (m - 1) * ldc + n) throw new ArgumentException($"C needs {(m - 1) * ldc + n} floats, has {c.Length}", nameof(c));
        return true;
    }

    // A(i, p) lives at a[i·ai + p·ap]. Computes columns [from, to) of C; from is a multiple of the panel width.
    // The widest accelerated width whose vector fits in a row of C: a product narrower than a 512-bit vector (a
    // SimpleRNN(10)'s 10 columns) takes 256-bit vectors rather than the 512-bit path's scalar tail (4× slower on W1).
    // The choice depends on n alone, never on the part, so a split product stays bit-identical.
    // pathRows (default m): the rows of the whole product when this is a row slice of it (MultiplyAddRows), so the
    // slice takes the path the whole product would and each row's arithmetic is the same.
    // bias (hasBias): C's columns [from, to) start from this row instead of C's own values (MultiplyBias).
    private static void Kernel(int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, int from, int to, int pathRows = -1)
        => Kernel(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to, ref Unsafe.NullRef<float>(), hasBias: false, pathRows);

    private static void Kernel(int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, int from, int to, ref float bias, bool hasBias, int pathRows = -1)
    {
        if (pathRows < 0) pathRows = m;
        if (Wide.IsAccelerated && n >= 16) Kernel<Tile512, Vec512, Vector512<float>>(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to, ref bias, hasBias, pathRows);
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            if (Takes4x24(pathRows, n))
                Kernel<Tile256x24, Vec256, Vector256<float>>(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to, ref bias, hasBias, pathRows);
            else
                Kernel<Tile6x2<Vec256, Vector256<float>>, Vec256, Vector256<float>>(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to, ref bias, hasBias, pathRows);
        }
        else if (Vector128.IsHardwareAccelerated && n >= 4)
        {
            if (Takes8x12(pathRows, n))
                Kernel<Tile128x12, Vec128, Vector128<float>>(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to, ref bias, hasBias, pathRows);
            else
                Kernel<Tile6x2<Vec128, Vector128<float>>, Vec128, Vector128<float>>(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to, ref bias, hasBias, pathRows);
        }
        else
        {
            if (hasBias) BiasRows(m, ref bias, ref c, ldc, from, to);
            Direct<VecScalar, float>(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to);
        }
    }

    // Columns [from, to) of each of the m rows of C = the same columns of the bias row.
    private static void BiasRows(int m, ref float bias, ref float c, int ldc, int from, int to)
    {
        for (int i = 0; i < m; i++) MatrixOps.CopyFloats(ref Unsafe.Add(ref bias, from), ref Unsafe.Add(ref c, i * ldc + from), to - from);
    }

    private static void Kernel<TTile, TOps, TV>(int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, int from, int to, ref float bias, bool hasBias, int pathRows)
        where TTile : struct, ITile where TOps : struct, IVectorOps<TV>
    {
        if (Packs<TTile>(pathRows, n, k, TOps.Lanes, whole: from == 0 && to == n))
        {
            Packed<TTile>(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to, ref bias, hasBias);
            return;
        }
        // (A product this narrow is never split: its columns are one panel.) The one-vector narrow path, for small
        // products whose C stays in cache, gets the bias written first; the direct path starts its chains from it (a
        // product two vectors wide goes there too: its row blocks of four take both vectors at once).
        if (n == TOps.Lanes && from == 0 && to == n)
        {
            if (hasBias) BiasRows(m, ref bias, ref c, ldc, from, to);
            Narrow<TOps, TV>(m, k, ref a, ai, ap, ref b, ldb, ref c, ldc);
        }
        else Direct<TOps, TV>(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to, ref bias, hasBias);
    }

    // ------------------------------------------------------------------ packed path

    private static void Packed<TTile>(int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, int from, int to, ref float bias, bool hasBias)
        where TTile : struct, ITile
    {
        int mr = TTile.MR, nr = TTile.NR, kcMax = TTile.KC, mcMax = TTile.MC;
        int panels = (to - from + nr - 1) / nr;
        ref float packA = ref PackBuffers<TTile>.A();
        // Inside a row job (ReuseScope) B is the recurrent kernel of every step: packed once per thread and scope, all
        // blocks of k kept; otherwise one block at a time into the thread's pack buffer.
        bool reuse = t_reuseDepth > 0, packed = false;
        int blockFloats = kcMax * nr * panels;
        ref float packB = ref reuse
            ? ref ReusedB<TTile>.Get(ref b, n, k, ldb, from, to, blockFloats * ((k + kcMax - 1) / kcMax), out packed)
            : ref PackBuffers<TTile>.B(panels);
        Span<float> edge = stackalloc float[MaxTile];
        ref float e = ref MemoryMarshal.GetReference(edge);
        // The first block of k starts every tile from the bias row where there is one. Only the last panel can be
        // narrower than the tile (parts start on panel boundaries); it starts from a copy padded with zeros, so a tile
        // reads NR floats of it whatever its width.
        Span<float> paddedBias = stackalloc float[MaxPanel];
        int lastPanel = from + (panels - 1) * nr, lastWidth = Math.Min(nr, n - lastPanel);
        if (hasBias && lastWidth < nr)
        {
            paddedBias.Clear();
            MatrixOps.CopyFloats(ref Unsafe.Add(ref bias, lastPanel), ref MemoryMarshal.GetReference(paddedBias), lastWidth);
        }
        for (int p0 = 0; p0 < k; p0 += kcMax)
        {
            int kc = Math.Min(kcMax, k - p0);
            ref float blockB = ref reuse ? ref Unsafe.Add(ref packB, p0 / kcMax * blockFloats) : ref packB;
            // This part's columns of B, once per block of k, for every block of rows (already there when reused).
            if (!packed) PackBPanels<TTile>(kc, panels, n - from, ref Unsafe.Add(ref b, p0 * ldb + from), ldb, ref blockB);
            for (int i0 = 0; i0 < m; i0 += mcMax)
            {
                int mc = Math.Min(mcMax, m - i0);
                // A row-major A (ap = 1) is read in place: each tile's MR rows are contiguous runs of kc floats, as
                // cache-friendly as a packed copy, and packing them cost as much as the product itself where n is
                // small (dx = ∂G·Wᵀ, ∂h = ∂G·Uᵀ). Only a last, ragged block of rows (fewer than MR) is packed,
                // so the kernel never reads past row m. Aᵀ (ai = 1) is packed: a tile's rows are adjacent there,
                // but its steps are a row of A apart. Either way the kernel runs the same multiply-adds in the same
                // order, so results do not depend on the choice.
                bool inPlace = ap == 1;
                int packedFrom = inPlace ? mc - mc % mr : 0;
                if (packedFrom < mc)
                    PackA(mr, mc - packedFrom, kc, ref Unsafe.Add(ref a, (i0 + packedFrom) * ai + p0 * ap), ai, ap, ref packA);
                for (int panel = 0; panel < panels; panel++)
                {
                    int j = from + panel * nr, w = Math.Min(nr, n - j);
                    ref float panelB = ref Unsafe.Add(ref blockB, panel * kc * nr);
                    bool fromBias = hasBias && p0 == 0;
                    ref float biasRow = ref !fromBias ? ref Unsafe.NullRef<float>()
                        : ref w < nr ? ref MemoryMarshal.GetReference(paddedBias) : ref Unsafe.Add(ref bias, j);
                    // Whole tiles of a whole panel in runs, one call each (the read-in-place rows, then the packed
                    // ones), not a call per tile: in a profile of W6's inference at 256 bits this method's own time,
                    // the calls and the narrow panel's copies back, was 6.5 % of the whole. The ragged last tile and a
                    // narrow panel go one tile at a time below.
                    int i = 0;
                    if (w == nr || TTile.NarrowRuns(w))
                    {
                        int inPlaceTiles = packedFrom / mr, packedTiles = (mc - packedFrom) / mr;
                        // Each tile starts from the bias row (stride 0) or from its own rows of C.
                        nint ldIn = fromBias ? 0 : ldc, inStep = fromBias ? 0 : (nint)mr * ldc;
                        if (inPlaceTiles > 0)
                        {
                            ref float runC = ref Unsafe.Add(ref c, i0 * ldc + j);
                            if (w == nr)
                                TTile.MultiplyTiles(inPlaceTiles, kc, ref Unsafe.Add(ref a, i0 * ai + p0), ai, 1, (nint)mr * ai, ref panelB,
                                    ref fromBias ? ref biasRow : ref runC, ldIn, inStep, ref runC, ldc);
                            else
                                TTile.MultiplyNarrowTiles(inPlaceTiles, kc, ref Unsafe.Add(ref a, i0 * ai + p0), ai, 1, (nint)mr * ai, ref panelB,
                                    ref fromBias ? ref biasRow : ref runC, ldIn, inStep, ref runC, ldc, w);
                        }
                        if (packedTiles > 0)
                        {
                            ref float runC = ref Unsafe.Add(ref c, (i0 + packedFrom) * ldc + j);
                            if (w == nr)
                                TTile.MultiplyTiles(packedTiles, kc, ref packA, 1, mr, (nint)mr * kc, ref panelB,
                                    ref fromBias ? ref biasRow : ref runC, ldIn, inStep, ref runC, ldc);
                            else
                                TTile.MultiplyNarrowTiles(packedTiles, kc, ref packA, 1, mr, (nint)mr * kc, ref panelB,
                                    ref fromBias ? ref biasRow : ref runC, ldIn, inStep, ref runC, ldc, w);
                        }
                        i = packedFrom + packedTiles * mr; // what is left is a last tile of fewer than MR rows
                    }
                    for (; i < mc; i += mr)
                    {
                        int rows = Math.Min(mr, mc - i);
                        bool direct = i < packedFrom;
                        ref float tileA = ref direct ? ref Unsafe.Add(ref a, (i0 + i) * ai + p0) : ref Unsafe.Add(ref packA, (i - packedFrom) * kc);
                        nint rowStride = direct ? ai : 1, pStride = direct ? 1 : mr;
                        ref float tileC = ref Unsafe.Add(ref c, (i0 + i) * ldc + j);
                        // A panel of w < NR columns with whole rows: masked loads and stores at 512 bits (a buffer and a
                        // copy back cost a 24-wide panel more than a whole one's time); at 256 and 128 bits, where the panel
                        // is at least a vector wide, the tile's last vectors overlap the ones before them instead (the
                        // 4 × 24 tile with vmaskmovps loads and stores measured W6 inference 8 % slower on a Zen 3 EPYC,
                        // 1.22 → 1.32 ms, than the buffer).
                        if (rows == mr && (fromBias
                                ? TTile.MultiplyNarrow(kc, ref tileA, rowStride, pStride, ref panelB, ref biasRow, 0, ref tileC, ldc, w)
                                : TTile.MultiplyNarrow(kc, ref tileA, rowStride, pStride, ref panelB, ref tileC, ldc, ref tileC, ldc, w)))
                            continue;
                        // Otherwise a ragged tile (the padding of A and B is zero) writes a full-size buffer, whose first w columns
                        // of its first rows are copied back. It starts from the bias row (stride 0), or from C itself
                        // where its rows are whole: the columns past w that it then reads belong to C's next row (or its
                        // stride's padding), their sums get only B's zero padding and are never written back, so every
                        // element of C is the same chain; it must not read past C's last element. Otherwise it starts
                        // from a zeroed copy of C, made element by element, whose narrow stores the tile's wide loads
                        // cannot be forwarded from (a stall on each: a ragged panel took 4× a whole one's time that way).
                        if (fromBias) TTile.MultiplyTiles(1, kc, ref tileA, rowStride, pStride, 0, ref panelB, ref biasRow, 0, 0, ref e, nr);
                        else if (rows == mr && (long)(i0 + i + mr - 1) * ldc + j + nr <= (long)(m - 1) * ldc + n)
                            TTile.MultiplyTiles(1, kc, ref tileA, rowStride, pStride, 0, ref panelB, ref tileC, ldc, 0, ref e, nr);
                        else
                        {
                            edge.Slice(0, mr * nr).Clear();
                            for (int r = 0; r < rows; r++) MatrixOps.CopyFloats(ref Unsafe.Add(ref tileC, r * ldc), ref Unsafe.Add(ref e, r * nr), w);
                            TTile.MultiplyTiles(1, kc, ref tileA, rowStride, pStride, 0, ref panelB, ref e, nr, 0, ref e, nr);
                        }
                        for (int r = 0; r < rows; r++) MatrixOps.CopyFloats(ref Unsafe.Add(ref e, r * nr), ref Unsafe.Add(ref tileC, r * ldc), w);
                    }
                }
            }
        }
    }

    // The largest tile, MR × NR, of any width (8 × 32 with AVX-512), and the widest panel, NR.
    private const int MaxTile = 8 * 32, MaxPanel = 32;

    // Rows [0, mc) and k-range [0, kc) of A into tiles of mr rows, each laid out [p][mr], rows past mc zero.
    private static void PackA(int mr, int mc, int kc, ref float a, int ai, int ap, ref float dst)
    {
        if (ai == 1)
        {
            // Aᵀ form: a tile's rows are adjacent for each p, so a step p of every tile is one run of mc floats of the
            // stored row p. Read row by row, in order (tile by tile, each pass down kc rows a row of A apart, the
            // reads missed cache on every row), whole tiles in vector moves; the last tile, if ragged, padded with zeros.
            int whole = mc - mc % mr;
            for (int p = 0; p < kc; p++)
            {
                ref float from = ref Unsafe.Add(ref a, p * ap);
                ref float to = ref Unsafe.Add(ref dst, p * mr);
                int i = 0;
                for (; i < whole; i += mr) MatrixOps.CopyFloats(ref Unsafe.Add(ref from, i), ref Unsafe.Add(ref to, i * kc), mr);
                if (i < mc)
                {
                    ref float edge = ref Unsafe.Add(ref to, i * kc);
                    int r = 0;
                    for (; r < mc - i; r++) Unsafe.Add(ref edge, r) = Unsafe.Add(ref from, i + r);
                    for (; r < mr; r++) Unsafe.Add(ref edge, r) = 0f;
                }
            }
            return;
        }
        for (int i = 0; i < mc; i += mr)
        {
            int rows = Math.Min(mr, mc - i);
            ref float tile = ref Unsafe.Add(ref dst, i * kc);
            ref float source = ref Unsafe.Add(ref a, i * ai);
            for (int r = 0; r < mr; r++)
            {
                ref float to = ref Unsafe.Add(ref tile, r);
                if (r >= rows)
                {
                    for (int p = 0; p < kc; p++) Unsafe.Add(ref to, p * mr) = 0f;
                    continue;
                }
                ref float from = ref Unsafe.Add(ref source, r * ai);
                for (int p = 0; p < kc; p++) Unsafe.Add(ref to, p * mr) = Unsafe.Add(ref from, p * ap);
            }
        }
    }

    // kc rows of `panels` panels of B (`columns` columns from b on, the last panel possibly narrower than NR) into
    // [panel][p][NR]. The whole panels are read row by row of B, in order, each row's run split among them (panel by
    // panel, down kc rows a row of B apart, every read was a new cache line); the narrow last panel after them.
    private static void PackBPanels<TTile>(int kc, int panels, int columns, ref float b, int ldb, ref float dst) where TTile : struct, ITile
    {
        int nr = TTile.NR, whole = Math.Min(panels, columns / nr);
        nint panelFloats = (nint)kc * nr;
        for (int p = 0; p < kc; p++)
        {
            ref float row = ref Unsafe.Add(ref b, (nint)p * ldb);
            ref float to = ref Unsafe.Add(ref dst, (nint)p * nr);
            for (int panel = 0; panel < whole; panel++)
                TTile.CopyRow(ref Unsafe.Add(ref row, panel * nr), ref Unsafe.Add(ref to, panel * panelFloats));
        }
        if (whole < panels) PackB<TTile>(kc, Math.Min(nr, columns - whole * nr), ref Unsafe.Add(ref b, whole * nr), ldb, ref Unsafe.Add(ref dst, whole * panelFloats));
    }

    // kc rows of w < NR columns of B (the narrow last panel) into [p][NR], columns past w zero.
    private static void PackB<TTile>(int kc, int w, ref float b, int ldb, ref float dst) where TTile : struct, ITile
    {
        int nr = TTile.NR;
        for (int p = 0; p < kc; p++)
        {
            ref float to = ref Unsafe.Add(ref dst, p * nr);
            MatrixOps.CopyFloats(ref Unsafe.Add(ref b, p * ldb), ref to, w);
            for (int j = w; j < nr; j++) Unsafe.Add(ref to, j) = 0f;
        }
    }

    // ------------------------------------------------------------------ packed B reused within a row job

    [ThreadStatic] private static int t_reuseDepth, t_reuseScope;

    /// <summary>
    /// Within the scope (a row job's time loop, <see cref="RowParallel"/>), a packed product reuses B's packing from the
    /// thread's previous product with the same B (same address, shape and columns): the recurrent kernel is the same at
    /// every step and does not change during the loop, so each thread packs it once per pass instead of once per step.
    /// The packing is the same, so the results are bit-identical. Only for scopes in which no B changes.
    /// </summary>
    internal static void BeginReuse()
    {
        t_reuseScope++; // a new scope: nothing packed before it is reused
        t_reuseDepth++;
    }

    /// <summary>Ends the scope <see cref="BeginReuse"/> began.</summary>
    internal static void EndReuse() => t_reuseDepth--;

    // The thread's packing of one B, every block of k, with what it was packed from.
    private static unsafe class ReusedB<TTile> where TTile : struct, ITile
    {
        [ThreadStatic] private static PackBuffer? _buffer;
        [ThreadStatic] private static nint _address;
        [ThreadStatic] private static int _n, _k, _ldb, _from, _to, _scope;

        public static ref float Get(ref float b, int n, int k, int ldb, int from, int to, int floats, out bool packed)
        {
            nint address = (nint)Unsafe.AsPointer(ref b);
            packed = _buffer is not null && _scope == t_reuseScope && _address == address && _n == n && _k == k && _ldb == ldb && _from == from && _to == to;
            ref float data = ref (_buffer ??= new PackBuffer()).Get(floats);
            (_address, _n, _k, _ldb, _from, _to, _scope) = (address, n, k, ldb, from, to, t_reuseScope);
            return ref data;
        }
    }

    // Per-thread pack buffers of one tile shape: A's sized on a thread's first packed product, B's grown to the
    // widest part of a product the thread has packed (KC rows of every panel).
    private static class PackBuffers<TTile> where TTile : struct, ITile
    {
        [ThreadStatic] private static PackBuffer? _a, _b;

        public static ref float A() => ref (_a ??= new PackBuffer()).Get(TTile.MC * TTile.KC);

        public static ref float B(int panels) => ref (_b ??= new PackBuffer()).Get(TTile.KC * TTile.NR * panels);
    }

    // 64-byte aligned native memory, freed when the thread that owns it has ended and its holder is collected.
    // Native, so that a thread's scratch is not counted as a model's allocation (the workspace a pass allocates
    // is what WorkspaceBytes reports) and is not moved or scanned by the collector.
    private sealed unsafe class PackBuffer
    {
        private float* _data;
        private int _length;

        public ref float Get(int length)
        {
            if (length > _length)
            {
                NativeMemory.AlignedFree(_data);
                _data = null; // consistent if the allocation below throws
                _length = 0;
                _data = (float*)NativeMemory.AlignedAlloc((nuint)length * sizeof(float), 64);
                _length = length;
            }
            return ref *_data;
        }

        ~PackBuffer() => NativeMemory.AlignedFree(_data);
    }

    // ------------------------------------------------------------------ micro-kernels
    // Accumulators by name, so that each stays in a register. A shape used at two widths (6 × 2 vectors) is one body
    // over IVectorOps; the others are written for their one width.

    // One register tile: C[MR × NR] (leading dimension ldc) = start + A·B over kc, the start read from cIn (leading
    // dimension ldIn: C itself, or a bias row with ldIn = 0), A packed [p][MR] or read in place
    // (rows rowStride apart, p pStride apart), B packed [p][NR].
    private interface ITile
    {
        static abstract int MR { get; }
        static abstract int NR { get; }
        static abstract int KC { get; } // k per block: a packed B panel, KC·NR floats, stays in L1 (16 KB)
        static abstract int MC { get; } // rows per block: a packed A block, MC·KC floats, stays in L2
        // A(r, p) at a[r·rowStride + p·pStride]: packed tiles pass (1, MR); a row-major A read in place passes (lda, 1).
        // `tiles` tiles down the rows of one panel, in one call (a call per tile cost W6's inference several percent):
        // tile t reads A from a + t·aStep and its starting values from cIn + t·inStep (rows ldIn apart; 0 and 0 where
        // each starts from the bias row), adds its products, and writes c + t·MR·ldc.
        static abstract void MultiplyTiles(int tiles, int kc, ref float a, nint rowStride, nint pStride, nint aStep, ref float b, ref float cIn, nint ldIn, nint inStep, ref float c, int ldc);
        static abstract void CopyRow(ref float from, ref float to); // NR floats
        // A tile of MR whole rows but only the first w < NR columns: reads and writes those w columns of each row and
        // nothing past them (masked loads and stores at 512 bits; below it, vectors that overlap the one before them,
        // for w of at least a vector), each element the chain MultiplyTiles gives it. False where it cannot (the caller then
        // goes through a tile-sized buffer).
        static abstract bool MultiplyNarrow(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc, int w);
        // Whether MultiplyNarrowTiles takes a panel w columns wide: a run of whole tiles in one call, as MultiplyTiles.
        static virtual bool NarrowRuns(int w) => false;
        static virtual void MultiplyNarrowTiles(int tiles, int kc, ref float a, nint rowStride, nint pStride, nint aStep, ref float b, ref float cIn, nint ldIn, nint inStep, ref float c, int ldc, int w)
            => throw new NotSupportedException();
    }

    // 8 rows × 2 zmm: 16 accumulators, 2 loads of B and a broadcast of A per step, of AVX-512's 32 registers.
    private readonly struct Tile512 : ITile
    {
        public static int MR => 8;
        public static int NR => 32;
        public static int KC => 128;
        public static int MC => 128;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CopyRow(ref float from, ref float to)
        {
            Vector512.LoadUnsafe(ref from).StoreUnsafe(ref to);
            Vector512.LoadUnsafe(ref from, 16).StoreUnsafe(ref to, 16);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static void MultiplyTiles(int tiles, int kc, ref float a, nint rowStride, nint pStride, nint aStep, ref float b, ref float cIn, nint ldIn, nint inStep, ref float c, int ldc)
        {
            for (int t = 0; t < tiles; t++)
            {
                Body(kc, ref a, rowStride, pStride, ref b, ref cIn, ldIn, ref c, ldc);
                a = ref Unsafe.Add(ref a, aStep);
                cIn = ref Unsafe.Add(ref cIn, inStep);
                c = ref Unsafe.Add(ref c, 8 * (nint)ldc);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Body(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc)
        {
            nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride, o4 = 4 * rowStride, o5 = 5 * rowStride, o6 = 6 * rowStride, o7 = 7 * rowStride;
            const int W = 16;
            nuint s = (nuint)ldc;
            nuint si = (nuint)ldIn; // rows of the starting values: C itself, or 0 where every row starts from a bias
            var c00 = Vector512.LoadUnsafe(ref cIn); var c01 = Vector512.LoadUnsafe(ref cIn, W);
            var c10 = Vector512.LoadUnsafe(ref cIn, si); var c11 = Vector512.LoadUnsafe(ref cIn, si + W);
            var c20 = Vector512.LoadUnsafe(ref cIn, 2 * si); var c21 = Vector512.LoadUnsafe(ref cIn, 2 * si + W);
            var c30 = Vector512.LoadUnsafe(ref cIn, 3 * si); var c31 = Vector512.LoadUnsafe(ref cIn, 3 * si + W);
            var c40 = Vector512.LoadUnsafe(ref cIn, 4 * si); var c41 = Vector512.LoadUnsafe(ref cIn, 4 * si + W);
            var c50 = Vector512.LoadUnsafe(ref cIn, 5 * si); var c51 = Vector512.LoadUnsafe(ref cIn, 5 * si + W);
            var c60 = Vector512.LoadUnsafe(ref cIn, 6 * si); var c61 = Vector512.LoadUnsafe(ref cIn, 6 * si + W);
            var c70 = Vector512.LoadUnsafe(ref cIn, 7 * si); var c71 = Vector512.LoadUnsafe(ref cIn, 7 * si + W);
            for (int p = 0; p < kc; p++)
            {
                var b0 = Vector512.LoadUnsafe(ref b);
                var b1 = Vector512.LoadUnsafe(ref b, W);
                var x = Vector512.Create(a);
                c00 = Vector512.MultiplyAddEstimate(x, b0, c00); c01 = Vector512.MultiplyAddEstimate(x, b1, c01);
                x = Vector512.Create(Unsafe.Add(ref a, o1));
                c10 = Vector512.MultiplyAddEstimate(x, b0, c10); c11 = Vector512.MultiplyAddEstimate(x, b1, c11);
                x = Vector512.Create(Unsafe.Add(ref a, o2));
                c20 = Vector512.MultiplyAddEstimate(x, b0, c20); c21 = Vector512.MultiplyAddEstimate(x, b1, c21);
                x = Vector512.Create(Unsafe.Add(ref a, o3));
                c30 = Vector512.MultiplyAddEstimate(x, b0, c30); c31 = Vector512.MultiplyAddEstimate(x, b1, c31);
                x = Vector512.Create(Unsafe.Add(ref a, o4));
                c40 = Vector512.MultiplyAddEstimate(x, b0, c40); c41 = Vector512.MultiplyAddEstimate(x, b1, c41);
                x = Vector512.Create(Unsafe.Add(ref a, o5));
                c50 = Vector512.MultiplyAddEstimate(x, b0, c50); c51 = Vector512.MultiplyAddEstimate(x, b1, c51);
                x = Vector512.Create(Unsafe.Add(ref a, o6));
                c60 = Vector512.MultiplyAddEstimate(x, b0, c60); c61 = Vector512.MultiplyAddEstimate(x, b1, c61);
                x = Vector512.Create(Unsafe.Add(ref a, o7));
                c70 = Vector512.MultiplyAddEstimate(x, b0, c70); c71 = Vector512.MultiplyAddEstimate(x, b1, c71);
                a = ref Unsafe.Add(ref a, pStride);
                b = ref Unsafe.Add(ref b, 32);
            }
            c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, W);
            c10.StoreUnsafe(ref c, s); c11.StoreUnsafe(ref c, s + W);
            c20.StoreUnsafe(ref c, 2 * s); c21.StoreUnsafe(ref c, 2 * s + W);
            c30.StoreUnsafe(ref c, 3 * s); c31.StoreUnsafe(ref c, 3 * s + W);
            c40.StoreUnsafe(ref c, 4 * s); c41.StoreUnsafe(ref c, 4 * s + W);
            c50.StoreUnsafe(ref c, 5 * s); c51.StoreUnsafe(ref c, 5 * s + W);
            c60.StoreUnsafe(ref c, 6 * s); c61.StoreUnsafe(ref c, 6 * s + W);
            c70.StoreUnsafe(ref c, 7 * s); c71.StoreUnsafe(ref c, 7 * s + W);
        }

        // As Body, for the first w < 32 columns of each row: masked loads of the starting values (zero past w) and
        // masked stores, so a ragged last panel needs no buffer, no copy back, and no read past C's last element.
        // Its loop repeats Body's on purpose: one generic body over how rows are loaded and stored (a struct holding
        // the masks) measured W2 and W6 inference 5 % slower at 512 bits, and Body as this one with every lane on
        // 3 % slower for W3's training and W6's inference.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static unsafe bool MultiplyNarrow(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc, int w)
        {
            if (!Avx512F.IsSupported) return false;
            nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride, o4 = 4 * rowStride, o5 = 5 * rowStride, o6 = 6 * rowStride, o7 = 7 * rowStride;
            const int W = 16;
            var lanes = Vector512<int>.Indices;
            var m0 = Vector512.LessThan(lanes, Vector512.Create(w)).AsSingle();
            var m1 = Vector512.LessThan(lanes, Vector512.Create(w - W)).AsSingle();
            var zero = Vector512<float>.Zero;
            fixed (float* pin = &cIn, pc = &c)
            {
                float* i0 = pin, q = pc;
                nint si = ldIn, s = ldc;
                var c00 = Avx512F.MaskLoad(i0, m0, zero); var c01 = Avx512F.MaskLoad(i0 + W, m1, zero);
                var c10 = Avx512F.MaskLoad(i0 + si, m0, zero); var c11 = Avx512F.MaskLoad(i0 + si + W, m1, zero);
                var c20 = Avx512F.MaskLoad(i0 + 2 * si, m0, zero); var c21 = Avx512F.MaskLoad(i0 + 2 * si + W, m1, zero);
                var c30 = Avx512F.MaskLoad(i0 + 3 * si, m0, zero); var c31 = Avx512F.MaskLoad(i0 + 3 * si + W, m1, zero);
                var c40 = Avx512F.MaskLoad(i0 + 4 * si, m0, zero); var c41 = Avx512F.MaskLoad(i0 + 4 * si + W, m1, zero);
                var c50 = Avx512F.MaskLoad(i0 + 5 * si, m0, zero); var c51 = Avx512F.MaskLoad(i0 + 5 * si + W, m1, zero);
                var c60 = Avx512F.MaskLoad(i0 + 6 * si, m0, zero); var c61 = Avx512F.MaskLoad(i0 + 6 * si + W, m1, zero);
                var c70 = Avx512F.MaskLoad(i0 + 7 * si, m0, zero); var c71 = Avx512F.MaskLoad(i0 + 7 * si + W, m1, zero);
                for (int p = 0; p < kc; p++)
                {
                    var b0 = Vector512.LoadUnsafe(ref b);
                    var b1 = Vector512.LoadUnsafe(ref b, W);
                    var x = Vector512.Create(a);
                    c00 = Vector512.MultiplyAddEstimate(x, b0, c00); c01 = Vector512.MultiplyAddEstimate(x, b1, c01);
                    x = Vector512.Create(Unsafe.Add(ref a, o1));
                    c10 = Vector512.MultiplyAddEstimate(x, b0, c10); c11 = Vector512.MultiplyAddEstimate(x, b1, c11);
                    x = Vector512.Create(Unsafe.Add(ref a, o2));
                    c20 = Vector512.MultiplyAddEstimate(x, b0, c20); c21 = Vector512.MultiplyAddEstimate(x, b1, c21);
                    x = Vector512.Create(Unsafe.Add(ref a, o3));
                    c30 = Vector512.MultiplyAddEstimate(x, b0, c30); c31 = Vector512.MultiplyAddEstimate(x, b1, c31);
                    x = Vector512.Create(Unsafe.Add(ref a, o4));
                    c40 = Vector512.MultiplyAddEstimate(x, b0, c40); c41 = Vector512.MultiplyAddEstimate(x, b1, c41);
                    x = Vector512.Create(Unsafe.Add(ref a, o5));
                    c50 = Vector512.MultiplyAddEstimate(x, b0, c50); c51 = Vector512.MultiplyAddEstimate(x, b1, c51);
                    x = Vector512.Create(Unsafe.Add(ref a, o6));
                    c60 = Vector512.MultiplyAddEstimate(x, b0, c60); c61 = Vector512.MultiplyAddEstimate(x, b1, c61);
                    x = Vector512.Create(Unsafe.Add(ref a, o7));
                    c70 = Vector512.MultiplyAddEstimate(x, b0, c70); c71 = Vector512.MultiplyAddEstimate(x, b1, c71);
                    a = ref Unsafe.Add(ref a, pStride);
                    b = ref Unsafe.Add(ref b, 32);
                }
                Avx512F.MaskStore(q, m0, c00); Avx512F.MaskStore(q + W, m1, c01);
                Avx512F.MaskStore(q + s, m0, c10); Avx512F.MaskStore(q + s + W, m1, c11);
                Avx512F.MaskStore(q + 2 * s, m0, c20); Avx512F.MaskStore(q + 2 * s + W, m1, c21);
                Avx512F.MaskStore(q + 3 * s, m0, c30); Avx512F.MaskStore(q + 3 * s + W, m1, c31);
                Avx512F.MaskStore(q + 4 * s, m0, c40); Avx512F.MaskStore(q + 4 * s + W, m1, c41);
                Avx512F.MaskStore(q + 5 * s, m0, c50); Avx512F.MaskStore(q + 5 * s + W, m1, c51);
                Avx512F.MaskStore(q + 6 * s, m0, c60); Avx512F.MaskStore(q + 6 * s + W, m1, c61);
                Avx512F.MaskStore(q + 7 * s, m0, c70); Avx512F.MaskStore(q + 7 * s + W, m1, c71);
            }
            return true;
        }
    }

    // 6 rows × 2 vectors: 12 accumulators, 2 loads of B and a broadcast of A, 15 registers: AVX2's 16 ymm, and at 128
    // bits SSE's 16 xmm or NEON's 32 q registers (where 8 × 12 does not pad less). One body for both widths through
    // IVectorOps, as the narrow and direct paths: its members inline to the width's own instructions.
    private readonly struct Tile6x2<TOps, TV> : ITile where TOps : struct, IVectorOps<TV>
    {
        public static int MR => 6;
        public static int NR => 2 * TOps.Lanes;
        public static int KC => 256;
        public static int MC => 96;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CopyRow(ref float from, ref float to)
        {
            TOps.Store(TOps.Load(ref from, 0), ref to, 0);
            TOps.Store(TOps.Load(ref from, (nuint)TOps.Lanes), ref to, (nuint)TOps.Lanes);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static void MultiplyTiles(int tiles, int kc, ref float a, nint rowStride, nint pStride, nint aStep, ref float b, ref float cIn, nint ldIn, nint inStep, ref float c, int ldc)
        {
            for (int t = 0; t < tiles; t++)
            {
                Body(kc, ref a, rowStride, pStride, ref b, ref cIn, ldIn, ref c, ldc, (nuint)TOps.Lanes);
                a = ref Unsafe.Add(ref a, aStep);
                cIn = ref Unsafe.Add(ref cIn, inStep);
                c = ref Unsafe.Add(ref c, 6 * (nint)ldc);
            }
        }

        // The first w columns, lanes ≤ w < 2·lanes, of each row: the second vector is columns w − lanes … w − 1, which
        // overlap the first; both are computed from the starting values before either is stored, and a column in both
        // gets the same chain twice (the panel's B and the bias are read at the same offsets), so every element is
        // the chain a whole tile gives it, with no buffer, no copy back and nothing written past column w.
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static bool MultiplyNarrow(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc, int w)
        {
            if (w < TOps.Lanes) return false;
            Body(kc, ref a, rowStride, pStride, ref b, ref cIn, ldIn, ref c, ldc, (nuint)(w - TOps.Lanes));
            return true;
        }

        // The tile's second vector starts `second` columns after its first: TOps.Lanes for a whole tile.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Body(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc, nuint second)
        {
            nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride, o4 = 4 * rowStride, o5 = 5 * rowStride;
            nuint w = second, s = (nuint)ldc;
            nuint si = (nuint)ldIn; // rows of the starting values: C itself, or 0 where every row starts from a bias
            int nr = 2 * TOps.Lanes;
            TV c00 = TOps.Load(ref cIn, 0), c01 = TOps.Load(ref cIn, w);
            TV c10 = TOps.Load(ref cIn, si), c11 = TOps.Load(ref cIn, si + w);
            TV c20 = TOps.Load(ref cIn, 2 * si), c21 = TOps.Load(ref cIn, 2 * si + w);
            TV c30 = TOps.Load(ref cIn, 3 * si), c31 = TOps.Load(ref cIn, 3 * si + w);
            TV c40 = TOps.Load(ref cIn, 4 * si), c41 = TOps.Load(ref cIn, 4 * si + w);
            TV c50 = TOps.Load(ref cIn, 5 * si), c51 = TOps.Load(ref cIn, 5 * si + w);
            for (int p = 0; p < kc; p++)
            {
                TV b0 = TOps.Load(ref b, 0), b1 = TOps.Load(ref b, w);
                TV x = TOps.Broadcast(a);
                c00 = TOps.MultiplyAdd(x, b0, c00); c01 = TOps.MultiplyAdd(x, b1, c01);
                x = TOps.Broadcast(Unsafe.Add(ref a, o1));
                c10 = TOps.MultiplyAdd(x, b0, c10); c11 = TOps.MultiplyAdd(x, b1, c11);
                x = TOps.Broadcast(Unsafe.Add(ref a, o2));
                c20 = TOps.MultiplyAdd(x, b0, c20); c21 = TOps.MultiplyAdd(x, b1, c21);
                x = TOps.Broadcast(Unsafe.Add(ref a, o3));
                c30 = TOps.MultiplyAdd(x, b0, c30); c31 = TOps.MultiplyAdd(x, b1, c31);
                x = TOps.Broadcast(Unsafe.Add(ref a, o4));
                c40 = TOps.MultiplyAdd(x, b0, c40); c41 = TOps.MultiplyAdd(x, b1, c41);
                x = TOps.Broadcast(Unsafe.Add(ref a, o5));
                c50 = TOps.MultiplyAdd(x, b0, c50); c51 = TOps.MultiplyAdd(x, b1, c51);
                a = ref Unsafe.Add(ref a, pStride);
                b = ref Unsafe.Add(ref b, nr);
            }
            TOps.Store(c00, ref c, 0); TOps.Store(c01, ref c, w);
            TOps.Store(c10, ref c, s); TOps.Store(c11, ref c, s + w);
            TOps.Store(c20, ref c, 2 * s); TOps.Store(c21, ref c, 2 * s + w);
            TOps.Store(c30, ref c, 3 * s); TOps.Store(c31, ref c, 3 * s + w);
            TOps.Store(c40, ref c, 4 * s); TOps.Store(c41, ref c, 4 * s + w);
            TOps.Store(c50, ref c, 5 * s); TOps.Store(c51, ref c, 5 * s + w);
        }
    }

    // The shape of Tile256x24's narrow bodies, fixed when the JIT compiles each: whole vectors (1 or 2), and the columns
    // after them packed as pairs (2: up to two of four rows in one vector) or quads (4: up to four, two rows a vector).
    private interface INarrowCount { static abstract int Count { get; } }
    private readonly struct One : INarrowCount { public static int Count => 1; }
    private readonly struct Two : INarrowCount { public static int Count => 2; }
    private readonly struct NoRest : INarrowCount { public static int Count => 0; }
    private readonly struct PairRest : INarrowCount { public static int Count => 2; }
    private readonly struct QuadRest : INarrowCount { public static int Count => 4; }

    // A tile of MR rows × three vectors (4 × 24 at 256 bits, 8 × 12 at 128) by its Body, whose second and third vectors
    // start W and W2 columns after the first.
    private interface IThreeVectorTile
    {
        static abstract int MR { get; }
        static abstract int Lanes { get; }
        static abstract void Body(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc, nuint W, nuint W2);
    }

    // MultiplyTiles and MultiplyNarrow of the three-vector tiles, one body for both.
    private static class ThreeVectors<TTile> where TTile : struct, IThreeVectorTile
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Tiles(int tiles, int kc, ref float a, nint rowStride, nint pStride, nint aStep, ref float b, ref float cIn, nint ldIn, nint inStep, ref float c, int ldc)
        {
            for (int t = 0; t < tiles; t++)
            {
                TTile.Body(kc, ref a, rowStride, pStride, ref b, ref cIn, ldIn, ref c, ldc, (nuint)TTile.Lanes, (nuint)(2 * TTile.Lanes));
                a = ref Unsafe.Add(ref a, aStep);
                cIn = ref Unsafe.Add(ref cIn, inStep);
                c = ref Unsafe.Add(ref c, TTile.MR * (nint)ldc);
            }
        }

        // The first w columns, lanes ≤ w < 3·lanes, of each row: the second and third vectors start at
        // min(lanes, w − lanes) and w − lanes, overlapping the ones before them, as in Tile6x2.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Narrow(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc, int w)
        {
            int lanes = TTile.Lanes;
            if (w < lanes) return false;
            TTile.Body(kc, ref a, rowStride, pStride, ref b, ref cIn, ldIn, ref c, ldc, (nuint)Math.Min(lanes, w - lanes), (nuint)(w - lanes));
            return true;
        }
    }

    // 4 rows × 3 ymm: 12 accumulators, 3 loads of B and a broadcast of A, 16 of AVX2's 16 registers.
    private readonly struct Tile256x24 : ITile, IThreeVectorTile
    {
        public static int MR => 4;
        public static int NR => 24;
        public static int KC => 128;
        public static int MC => 96;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CopyRow(ref float from, ref float to)
        {
            Vector256.LoadUnsafe(ref from).StoreUnsafe(ref to);
            Vector256.LoadUnsafe(ref from, 8).StoreUnsafe(ref to, 8);
            Vector256.LoadUnsafe(ref from, 16).StoreUnsafe(ref to, 16);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static void MultiplyTiles(int tiles, int kc, ref float a, nint rowStride, nint pStride, nint aStep, ref float b, ref float cIn, nint ldIn, nint inStep, ref float c, int ldc)
            => ThreeVectors<Tile256x24>.Tiles(tiles, kc, ref a, rowStride, pStride, aStep, ref b, ref cIn, ldIn, inStep, ref c, ldc);

        // The first w columns, 8 ≤ w < 24, of each row (a GRU(30)'s 90 gate columns end in an 18-wide panel).
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static bool MultiplyNarrow(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc, int w)
        {
            if (NarrowRuns(w)) { MultiplyNarrowTiles(1, kc, ref a, rowStride, pStride, 0, ref b, ref cIn, ldIn, 0, ref c, ldc, w); return true; }
            return ThreeVectors<Tile256x24>.Narrow(kc, ref a, rowStride, pStride, ref b, ref cIn, ldIn, ref c, ldc, w);
        }

        // 8–20 columns: one or two vectors of 8 (the second overlapping the first for 13–15), and the last one to four
        // columns of the four rows packed into one or two vectors (NarrowBody). 21–23 take three overlapping vectors.
        public static bool NarrowRuns(int w) => w >= 8 && w <= 20 && Avx.IsSupported;

        public static void MultiplyNarrowTiles(int tiles, int kc, ref float a, nint rowStride, nint pStride, nint aStep, ref float b, ref float cIn, nint ldIn, nint inStep, ref float c, int ldc, int w)
        {
            int whole = w >= 16 ? 16 : 8, rest = w - whole;
            // 13–15 columns: the second vector overlaps the first, starting `rest` columns after it.
            if (whole == 8 && rest > 4) Narrow<Two, NoRest>(tiles, kc, ref a, rowStride, pStride, aStep, ref b, ref cIn, ldIn, inStep, ref c, ldc, (nuint)rest, 0);
            else if (whole == 8 && rest == 0) Narrow<One, NoRest>(tiles, kc, ref a, rowStride, pStride, aStep, ref b, ref cIn, ldIn, inStep, ref c, ldc, 8, 0);
            else if (whole == 8 && rest <= 2) Narrow<One, PairRest>(tiles, kc, ref a, rowStride, pStride, aStep, ref b, ref cIn, ldIn, inStep, ref c, ldc, 8, rest);
            else if (whole == 8) Narrow<One, QuadRest>(tiles, kc, ref a, rowStride, pStride, aStep, ref b, ref cIn, ldIn, inStep, ref c, ldc, 8, rest);
            else if (rest == 0) Narrow<Two, NoRest>(tiles, kc, ref a, rowStride, pStride, aStep, ref b, ref cIn, ldIn, inStep, ref c, ldc, 8, 0);
            else if (rest <= 2) Narrow<Two, PairRest>(tiles, kc, ref a, rowStride, pStride, aStep, ref b, ref cIn, ldIn, inStep, ref c, ldc, 8, rest);
            else Narrow<Two, QuadRest>(tiles, kc, ref a, rowStride, pStride, aStep, ref b, ref cIn, ldIn, inStep, ref c, ldc, 8, rest);
        }

        // A run of whole narrow tiles in one call (a call per tile, through MultiplyNarrow, cost the 18-wide panel 11 %).
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void Narrow<TWhole, TRest>(int tiles, int kc, ref float a, nint rowStride, nint pStride, nint aStep, ref float b, ref float cIn, nint ldIn, nint inStep, ref float c, int ldc, nuint second, int rest)
            where TWhole : struct, INarrowCount where TRest : struct, INarrowCount
        {
            for (int t = 0; t < tiles; t++)
            {
                NarrowBody<TWhole, TRest>(kc, ref a, rowStride, pStride, ref b, ref cIn, ldIn, ref c, ldc, second, rest);
                a = ref Unsafe.Add(ref a, aStep);
                cIn = ref Unsafe.Add(ref cIn, inStep);
                c = ref Unsafe.Add(ref c, 4 * (nint)ldc);
            }
        }

        // A narrow panel's tile: TWhole.Count vectors of 8 columns (the second starting `second` columns after the first),
        // then the `rest` columns after them (1–4) of all four rows packed into vectors: for up to two columns one vector,
        // lane 2r + j holding row r's column j of the rest; for up to four, two vectors of two rows each, lane 4q + j
        // holding row 2v + q's column j. The rows' broadcasts of A are blended into those layouts, and B's columns are
        // read as one pair or quad broadcast from the packed panel (zeros past w there). A 4 × 24 tile of an 18-wide
        // panel takes nine multiply-adds a step of k instead of the overlapping third vector's twelve (GRU(30)).
        // Each element is the chain a whole tile gives it (from C or the bias, then A(i, p)·B(p, j) in order of p);
        // lanes past w start from zero and are never stored, so nothing past column w is read or written. The helpers that
        // load and store the rest are inlined: one called for its result put every accumulator of the loop in memory.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void NarrowBody<TWhole, TRest>(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc, nuint second, int rest)
            where TWhole : struct, INarrowCount where TRest : struct, INarrowCount
        {
            nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride;
            bool two = TWhole.Count == 2;
            nuint s = (nuint)ldc, si = (nuint)ldIn, e = two ? second + 8 : 8; // the rest's first column
            var c00 = Vector256.LoadUnsafe(ref cIn); var c10 = Vector256.LoadUnsafe(ref cIn, si);
            var c20 = Vector256.LoadUnsafe(ref cIn, 2 * si); var c30 = Vector256.LoadUnsafe(ref cIn, 3 * si);
            Vector256<float> c01 = default, c11 = default, c21 = default, c31 = default, p0 = default, p1 = default;
            if (two)
            {
                c01 = Vector256.LoadUnsafe(ref cIn, second); c11 = Vector256.LoadUnsafe(ref cIn, si + second);
                c21 = Vector256.LoadUnsafe(ref cIn, 2 * si + second); c31 = Vector256.LoadUnsafe(ref cIn, 3 * si + second);
            }
            if (TRest.Count == 2) p0 = RestPairs(ref Unsafe.Add(ref cIn, e), si, rest);
            if (TRest.Count == 4)
            {
                p0 = RestQuads(ref Unsafe.Add(ref cIn, e), si, rest);
                p1 = RestQuads(ref Unsafe.Add(ref cIn, e + 2 * si), si, rest);
            }
            for (int p = 0; p < kc; p++)
            {
                var b0 = Vector256.LoadUnsafe(ref b);
                var b1 = two ? Vector256.LoadUnsafe(ref b, second) : default;
                var x0 = Vector256.Create(a);
                c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
                if (two) c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
                var x1 = Vector256.Create(Unsafe.Add(ref a, o1));
                c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
                if (two) c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
                var x01 = TRest.Count == 2 ? Avx.Blend(x0, x1, 0b0000_1100) : Avx.Blend(x0, x1, 0b1111_0000);
                if (TRest.Count == 4) p0 = Vector256.MultiplyAddEstimate(x01, Vector256.Create(Vector128.LoadUnsafe(ref b, e)), p0);
                var x2 = Vector256.Create(Unsafe.Add(ref a, o2));
                c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
                if (two) c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
                var x3 = Vector256.Create(Unsafe.Add(ref a, o3));
                c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
                if (two) c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
                if (TRest.Count == 2)
                {
                    var x23 = Avx.Blend(x2, x3, 0b1100_0000);
                    var pairB = Vector256.Create(Unsafe.ReadUnaligned<double>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref b, e)))).AsSingle();
                    p0 = Vector256.MultiplyAddEstimate(Avx.Blend(x01, x23, 0b1111_0000), pairB, p0);
                }
                if (TRest.Count == 4) p1 = Vector256.MultiplyAddEstimate(Avx.Blend(x2, x3, 0b1111_0000), Vector256.Create(Vector128.LoadUnsafe(ref b, e)), p1);
                a = ref Unsafe.Add(ref a, pStride);
                b = ref Unsafe.Add(ref b, 24);
            }
            c00.StoreUnsafe(ref c); c10.StoreUnsafe(ref c, s); c20.StoreUnsafe(ref c, 2 * s); c30.StoreUnsafe(ref c, 3 * s);
            if (two)
            {
                c01.StoreUnsafe(ref c, second); c11.StoreUnsafe(ref c, s + second);
                c21.StoreUnsafe(ref c, 2 * s + second); c31.StoreUnsafe(ref c, 3 * s + second);
            }
            if (TRest.Count == 2) StorePairs(p0, ref Unsafe.Add(ref c, e), s, rest);
            if (TRest.Count == 4)
            {
                StoreQuads(p0, ref Unsafe.Add(ref c, e), s, rest);
                StoreQuads(p1, ref Unsafe.Add(ref c, e + 2 * s), s, rest);
            }
        }

        // Columns [0, rest) (rest ≤ 2) of four rows ld apart into lanes 2r + j, zeros past rest.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> RestPairs(ref float from, nuint ld, int rest) => rest == 2
            ? Vector256.Create(
                Unsafe.ReadUnaligned<double>(ref Unsafe.As<float, byte>(ref from)),
                Unsafe.ReadUnaligned<double>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref from, ld))),
                Unsafe.ReadUnaligned<double>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref from, 2 * ld))),
                Unsafe.ReadUnaligned<double>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref from, 3 * ld)))).AsSingle()
            : Vector256.Create(from, 0f, Unsafe.Add(ref from, ld), 0f, Unsafe.Add(ref from, 2 * ld), 0f, Unsafe.Add(ref from, 3 * ld), 0f);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StorePairs(Vector256<float> v, ref float to, nuint ld, int rest)
        {
            for (int r = 0; r < 4; r++)
            {
                ref float row = ref Unsafe.Add(ref to, (nint)((nuint)r * ld));
                row = v.GetElement(2 * r);
                if (rest == 2) Unsafe.Add(ref row, 1) = v.GetElement(2 * r + 1);
            }
        }

        // Columns [0, rest) (rest ≤ 4) of two rows ld apart into lanes 4q + j, zeros past rest.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> RestQuads(ref float from, nuint ld, int rest)
        {
            if (rest == 4) return Vector256.Create(Vector128.LoadUnsafe(ref from), Vector128.LoadUnsafe(ref from, ld));
            var v = Vector256<float>.Zero;
            for (int j = 0; j < rest; j++) v = v.WithElement(j, Unsafe.Add(ref from, j)).WithElement(4 + j, Unsafe.Add(ref from, ld + (nuint)j));
            return v;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreQuads(Vector256<float> v, ref float to, nuint ld, int rest)
        {
            if (rest == 4)
            {
                v.GetLower().StoreUnsafe(ref to);
                v.GetUpper().StoreUnsafe(ref to, ld);
                return;
            }
            for (int j = 0; j < rest; j++)
            {
                Unsafe.Add(ref to, j) = v.GetElement(j);
                Unsafe.Add(ref to, ld + (nuint)j) = v.GetElement(4 + j);
            }
        }

        public static int Lanes => 8;

        // The second and third vectors start W and W2 columns after the first: 8 and 16 for a whole tile.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Body(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc, nuint W, nuint W2)
        {
            nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride;
            nuint s = (nuint)ldc;
            nuint si = (nuint)ldIn; // rows of the starting values: C itself, or 0 where every row starts from a bias
            var c00 = Vector256.LoadUnsafe(ref cIn); var c01 = Vector256.LoadUnsafe(ref cIn, W); var c02 = Vector256.LoadUnsafe(ref cIn, W2);
            var c10 = Vector256.LoadUnsafe(ref cIn, si); var c11 = Vector256.LoadUnsafe(ref cIn, si + W); var c12 = Vector256.LoadUnsafe(ref cIn, si + W2);
            var c20 = Vector256.LoadUnsafe(ref cIn, 2 * si); var c21 = Vector256.LoadUnsafe(ref cIn, 2 * si + W); var c22 = Vector256.LoadUnsafe(ref cIn, 2 * si + W2);
            var c30 = Vector256.LoadUnsafe(ref cIn, 3 * si); var c31 = Vector256.LoadUnsafe(ref cIn, 3 * si + W); var c32 = Vector256.LoadUnsafe(ref cIn, 3 * si + W2);
            for (int p = 0; p < kc; p++)
            {
                var b0 = Vector256.LoadUnsafe(ref b);
                var b1 = Vector256.LoadUnsafe(ref b, W);
                var b2 = Vector256.LoadUnsafe(ref b, W2);
                var x = Vector256.Create(a);
                c00 = Vector256.MultiplyAddEstimate(x, b0, c00); c01 = Vector256.MultiplyAddEstimate(x, b1, c01); c02 = Vector256.MultiplyAddEstimate(x, b2, c02);
                x = Vector256.Create(Unsafe.Add(ref a, o1));
                c10 = Vector256.MultiplyAddEstimate(x, b0, c10); c11 = Vector256.MultiplyAddEstimate(x, b1, c11); c12 = Vector256.MultiplyAddEstimate(x, b2, c12);
                x = Vector256.Create(Unsafe.Add(ref a, o2));
                c20 = Vector256.MultiplyAddEstimate(x, b0, c20); c21 = Vector256.MultiplyAddEstimate(x, b1, c21); c22 = Vector256.MultiplyAddEstimate(x, b2, c22);
                x = Vector256.Create(Unsafe.Add(ref a, o3));
                c30 = Vector256.MultiplyAddEstimate(x, b0, c30); c31 = Vector256.MultiplyAddEstimate(x, b1, c31); c32 = Vector256.MultiplyAddEstimate(x, b2, c32);
                a = ref Unsafe.Add(ref a, pStride);
                b = ref Unsafe.Add(ref b, 24);
            }
            c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, W); c02.StoreUnsafe(ref c, W2);
            c10.StoreUnsafe(ref c, s); c11.StoreUnsafe(ref c, s + W); c12.StoreUnsafe(ref c, s + W2);
            c20.StoreUnsafe(ref c, 2 * s); c21.StoreUnsafe(ref c, 2 * s + W); c22.StoreUnsafe(ref c, 2 * s + W2);
            c30.StoreUnsafe(ref c, 3 * s); c31.StoreUnsafe(ref c, 3 * s + W); c32.StoreUnsafe(ref c, 3 * s + W2);
        }
    }

    // 8 rows × 3 xmm (or NEON q) registers: 24 accumulators, 3 loads of B and a broadcast of A, 28 of 32 registers.
    private readonly struct Tile128x12 : ITile, IThreeVectorTile
    {
        public static int MR => 8;
        public static int NR => 12;
        public static int KC => 256;
        public static int MC => 96;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CopyRow(ref float from, ref float to)
        {
            Vector128.LoadUnsafe(ref from).StoreUnsafe(ref to);
            Vector128.LoadUnsafe(ref from, 4).StoreUnsafe(ref to, 4);
            Vector128.LoadUnsafe(ref from, 8).StoreUnsafe(ref to, 8);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static void MultiplyTiles(int tiles, int kc, ref float a, nint rowStride, nint pStride, nint aStep, ref float b, ref float cIn, nint ldIn, nint inStep, ref float c, int ldc)
            => ThreeVectors<Tile128x12>.Tiles(tiles, kc, ref a, rowStride, pStride, aStep, ref b, ref cIn, ldIn, inStep, ref c, ldc);

        // The first w columns, 4 ≤ w < 12, of each row.
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static bool MultiplyNarrow(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc, int w)
            => ThreeVectors<Tile128x12>.Narrow(kc, ref a, rowStride, pStride, ref b, ref cIn, ldIn, ref c, ldc, w);

        public static int Lanes => 4;

        // The second and third vectors start W and W2 columns after the first: 4 and 8 for a whole tile.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Body(int kc, ref float a, nint rowStride, nint pStride, ref float b, ref float cIn, nint ldIn, ref float c, int ldc, nuint W, nuint W2)
        {
            nint o1 = rowStride, o2 = 2 * rowStride, o3 = 3 * rowStride, o4 = 4 * rowStride, o5 = 5 * rowStride, o6 = 6 * rowStride, o7 = 7 * rowStride;
            nuint s = (nuint)ldc;
            nuint si = (nuint)ldIn; // rows of the starting values: C itself, or 0 where every row starts from a bias
            var c00 = Vector128.LoadUnsafe(ref cIn); var c01 = Vector128.LoadUnsafe(ref cIn, W); var c02 = Vector128.LoadUnsafe(ref cIn, W2);
            var c10 = Vector128.LoadUnsafe(ref cIn, si); var c11 = Vector128.LoadUnsafe(ref cIn, si + W); var c12 = Vector128.LoadUnsafe(ref cIn, si + W2);
            var c20 = Vector128.LoadUnsafe(ref cIn, 2 * si); var c21 = Vector128.LoadUnsafe(ref cIn, 2 * si + W); var c22 = Vector128.LoadUnsafe(ref cIn, 2 * si + W2);
            var c30 = Vector128.LoadUnsafe(ref cIn, 3 * si); var c31 = Vector128.LoadUnsafe(ref cIn, 3 * si + W); var c32 = Vector128.LoadUnsafe(ref cIn, 3 * si + W2);
            var c40 = Vector128.LoadUnsafe(ref cIn, 4 * si); var c41 = Vector128.LoadUnsafe(ref cIn, 4 * si + W); var c42 = Vector128.LoadUnsafe(ref cIn, 4 * si + W2);
            var c50 = Vector128.LoadUnsafe(ref cIn, 5 * si); var c51 = Vector128.LoadUnsafe(ref cIn, 5 * si + W); var c52 = Vector128.LoadUnsafe(ref cIn, 5 * si + W2);
            var c60 = Vector128.LoadUnsafe(ref cIn, 6 * si); var c61 = Vector128.LoadUnsafe(ref cIn, 6 * si + W); var c62 = Vector128.LoadUnsafe(ref cIn, 6 * si + W2);
            var c70 = Vector128.LoadUnsafe(ref cIn, 7 * si); var c71 = Vector128.LoadUnsafe(ref cIn, 7 * si + W); var c72 = Vector128.LoadUnsafe(ref cIn, 7 * si + W2);
            for (int p = 0; p < kc; p++)
            {
                var b0 = Vector128.LoadUnsafe(ref b);
                var b1 = Vector128.LoadUnsafe(ref b, W);
                var b2 = Vector128.LoadUnsafe(ref b, W2);
                var x = Vector128.Create(a);
                c00 = Vector128.MultiplyAddEstimate(x, b0, c00); c01 = Vector128.MultiplyAddEstimate(x, b1, c01); c02 = Vector128.MultiplyAddEstimate(x, b2, c02);
                x = Vector128.Create(Unsafe.Add(ref a, o1));
                c10 = Vector128.MultiplyAddEstimate(x, b0, c10); c11 = Vector128.MultiplyAddEstimate(x, b1, c11); c12 = Vector128.MultiplyAddEstimate(x, b2, c12);
                x = Vector128.Create(Unsafe.Add(ref a, o2));
                c20 = Vector128.MultiplyAddEstimate(x, b0, c20); c21 = Vector128.MultiplyAddEstimate(x, b1, c21); c22 = Vector128.MultiplyAddEstimate(x, b2, c22);
                x = Vector128.Create(Unsafe.Add(ref a, o3));
                c30 = Vector128.MultiplyAddEstimate(x, b0, c30); c31 = Vector128.MultiplyAddEstimate(x, b1, c31); c32 = Vector128.MultiplyAddEstimate(x, b2, c32);
                x = Vector128.Create(Unsafe.Add(ref a, o4));
                c40 = Vector128.MultiplyAddEstimate(x, b0, c40); c41 = Vector128.MultiplyAddEstimate(x, b1, c41); c42 = Vector128.MultiplyAddEstimate(x, b2, c42);
                x = Vector128.Create(Unsafe.Add(ref a, o5));
                c50 = Vector128.MultiplyAddEstimate(x, b0, c50); c51 = Vector128.MultiplyAddEstimate(x, b1, c51); c52 = Vector128.MultiplyAddEstimate(x, b2, c52);
                x = Vector128.Create(Unsafe.Add(ref a, o6));
                c60 = Vector128.MultiplyAddEstimate(x, b0, c60); c61 = Vector128.MultiplyAddEstimate(x, b1, c61); c62 = Vector128.MultiplyAddEstimate(x, b2, c62);
                x = Vector128.Create(Unsafe.Add(ref a, o7));
                c70 = Vector128.MultiplyAddEstimate(x, b0, c70); c71 = Vector128.MultiplyAddEstimate(x, b1, c71); c72 = Vector128.MultiplyAddEstimate(x, b2, c72);
                a = ref Unsafe.Add(ref a, pStride);
                b = ref Unsafe.Add(ref b, 12);
            }
            c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, W); c02.StoreUnsafe(ref c, W2);
            c10.StoreUnsafe(ref c, s); c11.StoreUnsafe(ref c, s + W); c12.StoreUnsafe(ref c, s + W2);
            c20.StoreUnsafe(ref c, 2 * s); c21.StoreUnsafe(ref c, 2 * s + W); c22.StoreUnsafe(ref c, 2 * s + W2);
            c30.StoreUnsafe(ref c, 3 * s); c31.StoreUnsafe(ref c, 3 * s + W); c32.StoreUnsafe(ref c, 3 * s + W2);
            c40.StoreUnsafe(ref c, 4 * s); c41.StoreUnsafe(ref c, 4 * s + W); c42.StoreUnsafe(ref c, 4 * s + W2);
            c50.StoreUnsafe(ref c, 5 * s); c51.StoreUnsafe(ref c, 5 * s + W); c52.StoreUnsafe(ref c, 5 * s + W2);
            c60.StoreUnsafe(ref c, 6 * s); c61.StoreUnsafe(ref c, 6 * s + W); c62.StoreUnsafe(ref c, 6 * s + W2);
            c70.StoreUnsafe(ref c, 7 * s); c71.StoreUnsafe(ref c, 7 * s + W); c72.StoreUnsafe(ref c, 7 * s + W2);
        }
    }

    // ------------------------------------------------------------------ narrow path

    // C is one vector wide (n = lanes: a SimpleRNN(8)'s ∂U = h[t-1]ᵀ·∂Z over every step and sample, k = 6,400 at
    // 256 bits). The packed path's tile is two vectors wide, so half its columns would be padding, and packing Aᵀ and
    // B cost more than the product itself (W4: 36 % of a training step). Here rows of C go eight at a time, each an
    // accumulator of its own, so eight multiply-add chains overlap with nothing packed: A and B are read in place,
    // in either form. Each element of C is still one chain, C + Σ_p A(i, p)·B(p, ·) in order of p, exactly as the
    // packed and direct paths sum it, so the path taken does not change a bit.
    private static void Narrow<TOps, TV>(int m, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
        where TOps : struct, IVectorOps<TV>
    {
        nint s = ai;
        int i = 0;
        for (; i + 8 <= m; i += 8)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            TV c0 = TOps.Load(ref cr, 0), c1 = TOps.Load(ref cr, (nuint)ldc), c2 = TOps.Load(ref cr, (nuint)(2 * ldc)), c3 = TOps.Load(ref cr, (nuint)(3 * ldc));
            TV c4 = TOps.Load(ref cr, (nuint)(4 * ldc)), c5 = TOps.Load(ref cr, (nuint)(5 * ldc)), c6 = TOps.Load(ref cr, (nuint)(6 * ldc)), c7 = TOps.Load(ref cr, (nuint)(7 * ldc));
            ref float bp = ref b;
            for (int p = 0; p < k; p++)
            {
                TV bv = TOps.Load(ref bp, 0);
                c0 = TOps.MultiplyAdd(TOps.Broadcast(ar), bv, c0);
                c1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ar, s)), bv, c1);
                c2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ar, 2 * s)), bv, c2);
                c3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ar, 3 * s)), bv, c3);
                c4 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ar, 4 * s)), bv, c4);
                c5 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ar, 5 * s)), bv, c5);
                c6 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ar, 6 * s)), bv, c6);
                c7 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ar, 7 * s)), bv, c7);
                ar = ref Unsafe.Add(ref ar, ap);
                bp = ref Unsafe.Add(ref bp, ldb);
            }
            TOps.Store(c0, ref cr, 0); TOps.Store(c1, ref cr, (nuint)ldc); TOps.Store(c2, ref cr, (nuint)(2 * ldc)); TOps.Store(c3, ref cr, (nuint)(3 * ldc));
            TOps.Store(c4, ref cr, (nuint)(4 * ldc)); TOps.Store(c5, ref cr, (nuint)(5 * ldc)); TOps.Store(c6, ref cr, (nuint)(6 * ldc)); TOps.Store(c7, ref cr, (nuint)(7 * ldc));
        }
        for (; i + 4 <= m; i += 4)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            TV c0 = TOps.Load(ref cr, 0), c1 = TOps.Load(ref cr, (nuint)ldc), c2 = TOps.Load(ref cr, (nuint)(2 * ldc)), c3 = TOps.Load(ref cr, (nuint)(3 * ldc));
            ref float bp = ref b;
            for (int p = 0; p < k; p++)
            {
                TV bv = TOps.Load(ref bp, 0);
                c0 = TOps.MultiplyAdd(TOps.Broadcast(ar), bv, c0);
                c1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ar, s)), bv, c1);
                c2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ar, 2 * s)), bv, c2);
                c3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ar, 3 * s)), bv, c3);
                ar = ref Unsafe.Add(ref ar, ap);
                bp = ref Unsafe.Add(ref bp, ldb);
            }
            TOps.Store(c0, ref cr, 0); TOps.Store(c1, ref cr, (nuint)ldc); TOps.Store(c2, ref cr, (nuint)(2 * ldc)); TOps.Store(c3, ref cr, (nuint)(3 * ldc));
        }
        for (; i < m; i++)
        {
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            TOps.Store(Dot<TOps, TV>(k, ref Unsafe.Add(ref a, i * ai), ap, ref b, ldb, TOps.Load(ref cr, 0)), ref cr, 0);
        }
    }

    // ------------------------------------------------------------------ direct path

    // Columns [from, to) of C one row at a time: eight vectors, then four, two, one, then a tail narrower than a vector (the
    // vector ending at column n, computed from zero, of which only the new lanes are added; scalar when n itself is
    // narrower than a vector). B is read in place.
    private static void Direct<TOps, TV>(int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, int from, int to)
        where TOps : struct, IVectorOps<TV>
        => Direct<TOps, TV>(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to, ref Unsafe.NullRef<float>(), hasBias: false);

    // hasBias: every row's chains start from the bias row instead of C's own values (MultiplyBias), the same bits as
    // copying the bias into C first, without that pass.
    private static void Direct<TOps, TV>(int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, int from, int to, ref float bias, bool hasBias)
        where TOps : struct, IVectorOps<TV>
    {
        int lanes = TOps.Lanes;
        // A ragged width of more than one vector (a SimpleRNN(10)'s 10 columns at 256 bits) ends in two vectors, the
        // second ending at `to`, both computed from C before either is stored: the columns they share get the same
        // chain twice and the same bits, and no lane is written alone. The wide loops stop before them.
        int ragged = (to - from) % lanes;
        int pairFrom = ragged != 0 && to - from > lanes ? to - lanes - ragged : to;
        // Rows in blocks of four and three (two vectors of columns at a time) and two (four vectors), no row alone but
        // a single one (five rows are three and two), so that each load of B serves several rows: one row at a time
        // read the whole of B once per row, from L2 or memory where it is large (an LSTM(128)'s step product with a
        // batch of 4 at 512 bits, where the packed path's tile needs 8 rows, ran at 42 GFLOP/s; a first layer's
        // ∂W = Xᵀ·∂Z with 2 features read ∂Z twice). Each block covers the whole multiples of its width of the columns
        // the wide loops below would take, and computes each element as the same one chain in the same order of p, so
        // the blocks change no bit; the rows' other columns go on below.
        int blockTo4 = from + (pairFrom - from) / (2 * lanes) * (2 * lanes);
        if (m < 2 || blockTo4 == from)
        {
            DirectRows<TOps, TV>(0, m, from, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, to, pairFrom, ref bias, hasBias);
            return;
        }
        int blockTo2 = from + (pairFrom - from) / (4 * lanes) * (4 * lanes);
        int fours = m >> 2, rest = m & 3;
        if (rest == 1) fours--;                               // … + 4 + 1 rows → … + 3 + 2 (m ≥ 5 here)
        int threeAt = rest is 1 or 3 ? fours * 4 : -1, pairAt = rest switch { 1 => fours * 4 + 3, 2 => fours * 4, _ => -1 };
        DirectBlock<Rows4, TOps, TV>(0, fours * 4, k, ref a, ai, ap, ref b, ldb, ref c, ldc, ref bias, hasBias, from, blockTo4);
        if (threeAt >= 0) DirectBlock<Rows3, TOps, TV>(threeAt, threeAt + 3, k, ref a, ai, ap, ref b, ldb, ref c, ldc, ref bias, hasBias, from, blockTo4);
        if (pairAt >= 0 && blockTo2 > from) DirectBlock2x4<TOps, TV>(pairAt, k, ref a, ai, ap, ref b, ldb, ref c, ldc, ref bias, hasBias, from, blockTo2);
        // The blocks' rows' other columns, where there are any (none for a product two vectors wide).
        if (blockTo4 < to)
            DirectRows<TOps, TV>(0, pairAt >= 0 ? pairAt : m, blockTo4, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, to, pairFrom, ref bias, hasBias);
        if (pairAt >= 0 && blockTo2 < to)
            DirectRows<TOps, TV>(pairAt, pairAt + 2, blockTo2, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, to, pairFrom, ref bias, hasBias);
    }

    // Rows [rowFrom, rowTo) of C from column columnFrom to `to` (the columns before it done by a row block), one row at a
    // time: the direct path's own loops, apart so that the blocks' locals do not crowd its registers.
    private static void DirectRows<TOps, TV>(int rowFrom, int rowTo, int columnFrom, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, int to, int pairFrom, ref float bias, bool hasBias)
        where TOps : struct, IVectorOps<TV>
    {
        int lanes = TOps.Lanes;
        for (int i = rowFrom; i < rowTo; i++)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            ref float sr = ref hasBias ? ref bias : ref cr; // where each chain starts
            int j = columnFrom;
            // Eight, then four vectors of columns first: eight chains in flight hide the multiply-add's latency (four
            // cycles, two a cycle) where the rows are few (a batch of one: W5's h·U, 1 × 32 × 128, waited on the
            // latency of two chains at a time).
            for (; j + 8 * lanes <= pairFrom; j += 8 * lanes)
            {
                ref float bj = ref Unsafe.Add(ref b, j);
                ref float cj = ref Unsafe.Add(ref cr, j);
                ref float sj = ref Unsafe.Add(ref sr, j);
                nuint l = (nuint)lanes;
                TV s0 = TOps.Load(ref sj, 0), s1 = TOps.Load(ref sj, l), s2 = TOps.Load(ref sj, 2 * l), s3 = TOps.Load(ref sj, 3 * l);
                TV s4 = TOps.Load(ref sj, 4 * l), s5 = TOps.Load(ref sj, 5 * l), s6 = TOps.Load(ref sj, 6 * l), s7 = TOps.Load(ref sj, 7 * l);
                for (int p = 0; p < k; p++)
                {
                    ref float bp = ref Unsafe.Add(ref bj, p * ldb);
                    TV x = TOps.Broadcast(Unsafe.Add(ref ar, p * ap));
                    s0 = TOps.MultiplyAdd(x, TOps.Load(ref bp, 0), s0);
                    s1 = TOps.MultiplyAdd(x, TOps.Load(ref bp, l), s1);
                    s2 = TOps.MultiplyAdd(x, TOps.Load(ref bp, 2 * l), s2);
                    s3 = TOps.MultiplyAdd(x, TOps.Load(ref bp, 3 * l), s3);
                    s4 = TOps.MultiplyAdd(x, TOps.Load(ref bp, 4 * l), s4);
                    s5 = TOps.MultiplyAdd(x, TOps.Load(ref bp, 5 * l), s5);
                    s6 = TOps.MultiplyAdd(x, TOps.Load(ref bp, 6 * l), s6);
                    s7 = TOps.MultiplyAdd(x, TOps.Load(ref bp, 7 * l), s7);
                }
                TOps.Store(s0, ref cj, 0); TOps.Store(s1, ref cj, l); TOps.Store(s2, ref cj, 2 * l); TOps.Store(s3, ref cj, 3 * l);
                TOps.Store(s4, ref cj, 4 * l); TOps.Store(s5, ref cj, 5 * l); TOps.Store(s6, ref cj, 6 * l); TOps.Store(s7, ref cj, 7 * l);
            }
            for (; j + 4 * lanes <= pairFrom; j += 4 * lanes)
            {
                ref float bj = ref Unsafe.Add(ref b, j);
                ref float cj = ref Unsafe.Add(ref cr, j);
                ref float sj = ref Unsafe.Add(ref sr, j);
                TV s0 = TOps.Load(ref sj, 0), s1 = TOps.Load(ref sj, (nuint)lanes), s2 = TOps.Load(ref sj, (nuint)(2 * lanes)), s3 = TOps.Load(ref sj, (nuint)(3 * lanes));
                for (int p = 0; p < k; p++)
                {
                    ref float bp = ref Unsafe.Add(ref bj, p * ldb);
                    TV x = TOps.Broadcast(Unsafe.Add(ref ar, p * ap));
                    s0 = TOps.MultiplyAdd(x, TOps.Load(ref bp, 0), s0);
                    s1 = TOps.MultiplyAdd(x, TOps.Load(ref bp, (nuint)lanes), s1);
                    s2 = TOps.MultiplyAdd(x, TOps.Load(ref bp, (nuint)(2 * lanes)), s2);
                    s3 = TOps.MultiplyAdd(x, TOps.Load(ref bp, (nuint)(3 * lanes)), s3);
                }
                TOps.Store(s0, ref cj, 0);
                TOps.Store(s1, ref cj, (nuint)lanes);
                TOps.Store(s2, ref cj, (nuint)(2 * lanes));
                TOps.Store(s3, ref cj, (nuint)(3 * lanes));
            }
            for (; j + 2 * lanes <= pairFrom; j += 2 * lanes)
            {
                ref float bj = ref Unsafe.Add(ref b, j);
                ref float cj = ref Unsafe.Add(ref cr, j);
                ref float sj = ref Unsafe.Add(ref sr, j);
                TV s0 = TOps.Load(ref sj, 0), s1 = TOps.Load(ref sj, (nuint)lanes);
                for (int p = 0; p < k; p++)
                {
                    ref float bp = ref Unsafe.Add(ref bj, p * ldb);
                    TV x = TOps.Broadcast(Unsafe.Add(ref ar, p * ap));
                    s0 = TOps.MultiplyAdd(x, TOps.Load(ref bp, 0), s0);
                    s1 = TOps.MultiplyAdd(x, TOps.Load(ref bp, (nuint)lanes), s1);
                }
                TOps.Store(s0, ref cj, 0);
                TOps.Store(s1, ref cj, (nuint)lanes);
            }
            if (j + lanes <= pairFrom)
            {
                ref float cj = ref Unsafe.Add(ref cr, j);
                TOps.Store(Dot<TOps, TV>(k, ref ar, ap, ref Unsafe.Add(ref b, j), ldb, TOps.Load(ref sr, (nuint)j)), ref cj, 0);
                j += lanes;
            }
            if (j < to && j == pairFrom)
            {
                ref float cj = ref Unsafe.Add(ref cr, j);
                ref float cl = ref Unsafe.Add(ref cr, to - lanes);
                TV first = Dot<TOps, TV>(k, ref ar, ap, ref Unsafe.Add(ref b, j), ldb, TOps.Load(ref sr, (nuint)j));
                TV last = Dot<TOps, TV>(k, ref ar, ap, ref Unsafe.Add(ref b, to - lanes), ldb, TOps.Load(ref sr, (nuint)(to - lanes)));
                TOps.Store(first, ref cj, 0);
                TOps.Store(last, ref cl, 0);
                continue;
            }
            if (j == to) continue;
            if (n >= lanes)
            {
                // Lanes [lanes − r, lanes) of the vector ending at n are the r columns not yet computed. The vector
                // starts from C's values there (or the bias's), so each of those columns is one chain as on every other
                // path (the lanes before them, columns already done, are computed again and not stored).
                int r = to - j;
                ref float cj = ref Unsafe.Add(ref cr, n - lanes);
                var sum = Dot<TOps, TV>(k, ref ar, ap, ref Unsafe.Add(ref b, n - lanes), ldb, TOps.Load(ref sr, (nuint)(n - lanes)));
                for (int l = lanes - r; l < lanes; l++) Unsafe.Add(ref cj, l) = TOps.Lane(sum, l);
                continue;
            }
            for (; j < to; j++)
            {
                float s = Unsafe.Add(ref sr, j);
                for (int p = 0; p < k; p++) s += Unsafe.Add(ref ar, p * ap) * Unsafe.Add(ref b, p * ldb + j);
                Unsafe.Add(ref cr, j) = s;
            }
        }
    }

    // Columns [from, to) of rows [rowFrom, rowTo) of C in blocks of four (or three) rows, two vectors at a time (eight
    // accumulators: four broadcasts of A and two loads of B for eight multiply-adds, 11 registers, so SSE's and AVX2's 16
    // hold them). Each row starts from its own values, or from the bias row. TRows.Count is a constant to the JIT: the
    // three-row form keeps no fourth row's registers.
    private static void DirectBlock<TRows, TOps, TV>(int rowFrom, int rowTo, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, ref float bias, bool hasBias, int from, int to)
        where TRows : struct, IRowCount where TOps : struct, IVectorOps<TV>
    {
        bool four = TRows.Count == 4;
        nuint l = (nuint)TOps.Lanes, r1 = (nuint)ldc, r2 = 2 * r1, r3 = 3 * r1, s1 = hasBias ? 0 : r1, s2 = 2 * s1, s3 = 3 * s1;
        nint o1 = ai, o2 = 2 * o1, o3 = 3 * o1;
        for (int i = rowFrom; i < rowTo; i += TRows.Count)
        {
            ref float ai0 = ref Unsafe.Add(ref a, i * ai);
            ref float ci = ref Unsafe.Add(ref c, i * ldc);
            ref float start = ref hasBias ? ref bias : ref ci;
            for (int j = from; j < to; j += 2 * TOps.Lanes)
            {
                ref float sj = ref Unsafe.Add(ref start, j);
                TV c00 = TOps.Load(ref sj, 0), c01 = TOps.Load(ref sj, l), c10 = TOps.Load(ref sj, s1), c11 = TOps.Load(ref sj, s1 + l);
                TV c20 = TOps.Load(ref sj, s2), c21 = TOps.Load(ref sj, s2 + l);
                TV c30 = four ? TOps.Load(ref sj, s3) : TOps.Zero, c31 = four ? TOps.Load(ref sj, s3 + l) : TOps.Zero;
                ref float ap0 = ref ai0;
                ref float bp = ref Unsafe.Add(ref b, j);
                for (int p = 0; p < k; p++)
                {
                    TV b0 = TOps.Load(ref bp, 0), b1 = TOps.Load(ref bp, l);
                    TV x = TOps.Broadcast(ap0);
                    c00 = TOps.MultiplyAdd(x, b0, c00); c01 = TOps.MultiplyAdd(x, b1, c01);
                    x = TOps.Broadcast(Unsafe.Add(ref ap0, o1));
                    c10 = TOps.MultiplyAdd(x, b0, c10); c11 = TOps.MultiplyAdd(x, b1, c11);
                    x = TOps.Broadcast(Unsafe.Add(ref ap0, o2));
                    c20 = TOps.MultiplyAdd(x, b0, c20); c21 = TOps.MultiplyAdd(x, b1, c21);
                    if (four)
                    {
                        x = TOps.Broadcast(Unsafe.Add(ref ap0, o3));
                        c30 = TOps.MultiplyAdd(x, b0, c30); c31 = TOps.MultiplyAdd(x, b1, c31);
                    }
                    ap0 = ref Unsafe.Add(ref ap0, ap);
                    bp = ref Unsafe.Add(ref bp, ldb);
                }
                ref float cj = ref Unsafe.Add(ref ci, j);
                TOps.Store(c00, ref cj, 0); TOps.Store(c01, ref cj, l); TOps.Store(c10, ref cj, r1); TOps.Store(c11, ref cj, r1 + l);
                TOps.Store(c20, ref cj, r2); TOps.Store(c21, ref cj, r2 + l);
                if (four) { TOps.Store(c30, ref cj, r3); TOps.Store(c31, ref cj, r3 + l); }
            }
        }
    }

    private interface IRowCount { static abstract int Count { get; } }
    private readonly struct Rows4 : IRowCount { public static int Count => 4; }
    private readonly struct Rows3 : IRowCount { public static int Count => 3; }

    // Columns [from, to) of rows i and i + 1 of C, four vectors at a time (eight accumulators), as DirectBlock.
    private static void DirectBlock2x4<TOps, TV>(int i, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, ref float bias, bool hasBias, int from, int to)
        where TOps : struct, IVectorOps<TV>
    {
        a = ref Unsafe.Add(ref a, i * ai);
        c = ref Unsafe.Add(ref c, i * ldc);
        ref float start = ref hasBias ? ref bias : ref c;
        nuint l = (nuint)TOps.Lanes, l2 = 2 * l, l3 = 3 * l, r1 = (nuint)ldc, s1 = hasBias ? 0 : r1;
        nint o1 = ai;
        for (int j = from; j < to; j += 4 * TOps.Lanes)
        {
            ref float sj = ref Unsafe.Add(ref start, j);
            TV c00 = TOps.Load(ref sj, 0), c01 = TOps.Load(ref sj, l), c02 = TOps.Load(ref sj, l2), c03 = TOps.Load(ref sj, l3);
            TV c10 = TOps.Load(ref sj, s1), c11 = TOps.Load(ref sj, s1 + l), c12 = TOps.Load(ref sj, s1 + l2), c13 = TOps.Load(ref sj, s1 + l3);
            ref float ap0 = ref a;
            ref float bp = ref Unsafe.Add(ref b, j);
            for (int p = 0; p < k; p++)
            {
                TV b0 = TOps.Load(ref bp, 0), b1 = TOps.Load(ref bp, l), b2 = TOps.Load(ref bp, l2), b3 = TOps.Load(ref bp, l3);
                TV x = TOps.Broadcast(ap0);
                c00 = TOps.MultiplyAdd(x, b0, c00); c01 = TOps.MultiplyAdd(x, b1, c01); c02 = TOps.MultiplyAdd(x, b2, c02); c03 = TOps.MultiplyAdd(x, b3, c03);
                x = TOps.Broadcast(Unsafe.Add(ref ap0, o1));
                c10 = TOps.MultiplyAdd(x, b0, c10); c11 = TOps.MultiplyAdd(x, b1, c11); c12 = TOps.MultiplyAdd(x, b2, c12); c13 = TOps.MultiplyAdd(x, b3, c13);
                ap0 = ref Unsafe.Add(ref ap0, ap);
                bp = ref Unsafe.Add(ref bp, ldb);
            }
            ref float cj = ref Unsafe.Add(ref c, j);
            TOps.Store(c00, ref cj, 0); TOps.Store(c01, ref cj, l); TOps.Store(c02, ref cj, l2); TOps.Store(c03, ref cj, l3);
            TOps.Store(c10, ref cj, r1); TOps.Store(c11, ref cj, r1 + l); TOps.Store(c12, ref cj, r1 + l2); TOps.Store(c13, ref cj, r1 + l3);
        }
    }

    // sum + Σ_p A(i, p)·B(p, j…j + lanes) for one row of A.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Dot<TOps, TV>(int k, ref float ar, int ap, ref float bj, int ldb, TV sum) where TOps : struct, IVectorOps<TV>
    {
        for (int p = 0; p < k; p++)
            sum = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ar, p * ap)), TOps.Load(ref Unsafe.Add(ref bj, p * ldb), 0), sum);
        return sum;
    }
}

/// <summary>The operations of one vector width that the width-generic kernels use (static, so calls inline).</summary>
internal interface IVectorOps<TV>
{
    static abstract int Lanes { get; }
    static abstract TV Zero { get; }
    static abstract TV Load(ref float source, nuint offset);
    static abstract void Store(TV value, ref float destination, nuint offset);
    static abstract TV Broadcast(float value);
    static abstract TV MultiplyAdd(TV a, TV b, TV c); // a·b + c, fused where the hardware fuses
    static abstract TV Add(TV a, TV b);
    static abstract float Lane(TV value, int lane);
}

internal readonly struct Vec512 : IVectorOps<Vector512<float>>
{
    public static int Lanes => 16;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Lane(Vector512<float> value, int lane) => value.GetElement(lane);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
}

internal readonly struct Vec256 : IVectorOps<Vector256<float>>
{
    public static int Lanes => 8;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Lane(Vector256<float> value, int lane) => value.GetElement(lane);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
}

internal readonly struct Vec128 : IVectorOps<Vector128<float>>
{
    public static int Lanes => 4;
    public static Vector128<float> Zero => Vector128<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref float source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Broadcast(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Lane(Vector128<float> value, int lane) => value.GetElement(lane);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
}

// One lane: the fallback where no vector width is accelerated.
internal readonly struct VecScalar : IVectorOps<float>
{
    public static int Lanes => 1;
    public static float Zero => 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref float source, nuint offset) => Unsafe.Add(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float value, ref float destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyAdd(float a, float b, float c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Lane(float value, int lane) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
}
