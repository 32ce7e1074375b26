using System;
using ModelGen.Kernels;

namespace ModelGen.Tests;

/// <summary>The SIMD products against a plain triple loop, over shapes that hit every panel width and tail.</summary>
public sealed class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 3, 5, 7 }, { 8, 32, 4 }, { 9, 33, 5 }, { 17, 63, 11 }, { 4, 16, 1 }, { 12, 120, 30 },
        { 7, 8, 3 }, { 33, 100, 19 }, { 32, 120, 30 }, { 9, 96, 40 }, { 6, 24, 5 }, { 2, 784, 9 }, { 65, 47, 66 },
        // Packed path across blocks: rows past one block of MC with a ragged last tile, k past KC, ragged panels.
        { 131, 70, 300 }, { 203, 33, 260 }, { 97, 129, 513 },
    };

    /// <summary>
    /// <see cref="Gemm.RowBlock"/> gives the rows of the tile the product's path computes at this width, and 1 where it
    /// takes no tiled path; row jobs start their parts on multiples of it.
    /// </summary>
    [Fact]
    public void The_row_block_is_the_tile_height_of_the_path_the_product_takes()
    {
        // W3's LSTM(196) step, [64, 196] × [196, 784]: at 256 bits the 4 × 24 tile (64 × 792 padded, against 66 × 784 in
        // 6 × 16 tiles); at 128 bits the 8 × 12 tile where 32 vector registers allow it (64 × 792 against 66 × 784), else 6 × 8.
        bool wideRegisters = System.Runtime.Intrinsics.X86.Avx512F.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported;
        int expected = Gemm.VectorBits switch { 512 => 8, 256 => 4, 128 => wideRegisters ? 8 : 6, _ => 1 };
        Assert.Equal(expected, Gemm.RowBlock(64, 784, 196));
        // A GRU(30)'s backward ∂h product, [32, 90] × [90, 30] at 256 bits: 6 × 16 pads less (36 × 32 against 32 × 48).
        if (Gemm.VectorBits == 256) Assert.Equal(6, Gemm.RowBlock(32, 30, 90));
        Assert.Equal(1, Gemm.RowBlock(3, 784, 196));   // fewer rows than any tile: row by row
        Assert.Equal(1, Gemm.RowBlock(64, 784, 0));    // no work
        Assert.Equal(1, Gemm.RowBlock(8, 24, 8));      // too small to pack
        Assert.Equal(1, Gemm.RowBlock(64, 2, 196));    // narrower than a vector
        Assert.Equal(1, Gemm.RowBlock(0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.RowBlock(-1, 8, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.RowBlock(8, 8, -1));
    }

    /// <summary>
    /// A row-major A is read in place by the packed path's kernel, Aᵀ is packed first; both run the same multiply-adds
    /// in the same order, so the same matrix given either way gives the same bits (ragged row tiles included).
    /// </summary>
    [Theory]
    [InlineData(131, 70, 300)]
    [InlineData(1792, 128, 784)] // W3's dx = ∂G·Wᵀ
    [InlineData(64, 196, 784)]   // W3's ∂h = ∂G·Uᵀ, one step
    [InlineData(203, 33, 260)]
    public void A_read_in_place_gives_the_bits_of_a_packed_A(int m, int n, int k)
    {
        var random = new Random(m + n + k);
        var a = Fill(m * k, random);
        var at = new float[k * m];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) at[p * m + i] = a[i * k + p];
        var b = Fill(k * n, random);
        var c = Fill(m * n, random);
        var direct = (float[])c.Clone();
        Gemm.MultiplyAdd(m, n, k, a, k, b, n, direct, n);
        var packed = (float[])c.Clone();
        Gemm.MultiplyAddTransposedA(m, n, k, at, m, b, n, packed, n);
        for (int i = 0; i < direct.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(direct[i]) == BitConverter.SingleToInt32Bits(packed[i]),
                $"{m}×{n}×{k}: element {i} (row {i / n}) is {direct[i]:R} with A in place, {packed[i]:R} with A packed");
    }

    /// <summary>
    /// A small product goes straight through (the direct path), a large one through packed tiles; either way each
    /// element of C is one chain from C's own value, C + Σ_p A(i, p)·B(p, j) in order of p, tail columns narrower than a
    /// vector included, so the same rows give the same bits into a C that is not zero (gradients being accumulated).
    /// The rows [0, r) of a product of m rows take the packed path through <c>MultiplyAddRows</c> (the path of the
    /// whole product) and the direct path alone. Before the direct path's tail chained from C it summed the tail from
    /// zero and added C after: a recurrent kernel's gradient, whose product then switched paths when a pass from zeros
    /// left out its first rows, differed in the last bit from the same gradient computed in full.
    /// </summary>
    [Theory]
    [InlineData(64, 3, 28, 20)]  // LSTM(7)'s dU: 28 columns, 4 past the last 256-bit vector
    [InlineData(64, 5, 13, 30)]
    [InlineData(96, 2, 37, 9)]
    [InlineData(64, 1, 5, 64)]
    public void The_direct_and_packed_paths_give_the_same_bits_into_a_nonzero_C(int m, int r, int n, int k)
    {
        Assert.True((long)r * n * k < Gemm.PackedWork && (long)m * n * k >= Gemm.PackedWork, "the shapes must take both paths");
        var random = new Random(m + 3 * r + n + k);
        var a = Fill(m * k, random);
        var b = Fill(k * n, random);
        var c = Fill(m * n, random);
        var packed = (float[])c.Clone();
        Gemm.MultiplyAddRows(m, 0, r, n, k, a, k, b, n, packed, n);
        var direct = (float[])c.Clone();
        Gemm.MultiplyAdd(r, n, k, a, k, b, n, direct, n);
        for (int i = 0; i < r * n; i++)
            Assert.True(BitConverter.SingleToInt32Bits(direct[i]) == BitConverter.SingleToInt32Bits(packed[i]),
                $"{r} of {m}×{n}×{k}: C[{i / n}, {i % n}] is {direct[i]:R} on the direct path, {packed[i]:R} on the packed one");
    }

    /// <summary>
    /// A small product whose width is not a whole number of vectors (a SimpleRNN(10)'s 10 columns) ends in two
    /// overlapping vectors computed before either is stored: each element of C is still the one chain
    /// start + Σ_p A(i, p)·B(p, j) in order of p (fused where the hardware fuses), starting from C's own value or from
    /// the bias row, and nothing outside C's block is written. At this process's width; CI runs it at 512, 256 and 128 bits.
    /// </summary>
    [Theory]
    [InlineData(6, 10, 10)]  // W1's h·U: a 256-bit vector and 2 columns
    [InlineData(24, 10, 1)]  // W1's x·W + b
    [InlineData(7, 12, 5)]
    [InlineData(5, 30, 9)]   // three 256-bit vectors and 6 columns; a 512-bit vector and 14
    [InlineData(3, 20, 17)]
    [InlineData(4, 27, 3)]
    [InlineData(2, 45, 6)]   // past the eight-vector loop at 128 bits
    public void A_ragged_width_gives_each_element_one_chain_in_order_of_k(int m, int n, int k)
    {
        Assert.True((long)m * n * k < Gemm.PackedWork, "the shape must take the direct path");
        bool fused = System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;
        var random = new Random(m * 1000 + n * 10 + k);
        int ldc = n + 3;
        var a = Fill(m * k, random);
        var b = Fill(k * n, random);
        var bias = Fill(n, random);
        var c = Fill(m * ldc, random);
        foreach (bool withBias in new[] { false, true })
        {
            var actual = (float[])c.Clone();
            if (withBias) Gemm.MultiplyBias(m, n, k, a, k, b, n, bias, actual, ldc);
            else Gemm.MultiplyAdd(m, n, k, a, k, b, n, actual, ldc);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < ldc; j++)
                {
                    float expected = c[i * ldc + j];
                    if (j < n)
                    {
                        expected = withBias ? bias[j] : expected;
                        for (int p = 0; p < k; p++)
                            expected = fused ? MathF.FusedMultiplyAdd(a[i * k + p], b[p * n + j], expected) : a[i * k + p] * b[p * n + j] + expected;
                    }
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual[i * ldc + j]),
                        $"{m}×{n}×{k}{(withBias ? " with a bias" : "")}: C[{i}, {j}] is {actual[i * ldc + j]:R}, the chain in order of k gives {expected:R}{(j >= n ? " (outside C's block: must be left as it was)" : "")}");
                }
            }
        }
    }

    /// <summary>
    /// A product of fewer rows than the packed path's tile (a batch of 2 to 7 at 512 bits, where the tile has 8 rows; a
    /// batch of 2, 3 or 5 at 256) goes row blocks of four, three and two at a time through the direct path, so that each
    /// load of B serves several rows: each element of C is still the one chain start + Σ_p A(i, p)·B(p, j) in order of
    /// p, from C's own value or the bias row, whichever form A is given in, and nothing outside C's block is written.
    /// At this process's width; CI runs it at 512, 256 and 128 bits.
    /// </summary>
    [Theory]
    [InlineData(2, 512, 128)]  // an LSTM(128)'s step product, batch 2
    [InlineData(3, 512, 128)]
    [InlineData(4, 512, 128)]
    [InlineData(5, 384, 128)]  // a GRU(128)'s, batch 5: three rows and two
    [InlineData(6, 130, 40)]   // ragged columns past the blocks
    [InlineData(7, 120, 30)]   // four rows and three
    [InlineData(2, 120, 300)]  // a first layer's ∂W = Xᵀ·∂Z with 2 features, in the Aᵀ form below
    [InlineData(9, 77, 33)]    // four, three and two
    [InlineData(5, 48, 20)]    // three vectors at 512 bits: the three-row block takes two, the pair's four-vector block none
    [InlineData(2, 24, 30)]    // three vectors at 256 bits, the same
    [InlineData(6, 40, 9)]     // no whole pair of vectors at 512 bits: no block at all
    public void Fewer_rows_than_a_tile_give_each_element_one_chain_in_order_of_k(int m, int n, int k)
    {
        bool fused = System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;
        var random = new Random(m * 1000 + n * 10 + k);
        int ldc = n + 5, lda = m + 2;
        var a = Fill(m * k, random);
        var at = Fill(k * lda, random); // the same rows given as Aᵀ: element (i, p) at at[p·lda + i]
        var b = Fill(k * n, random);
        var bias = Fill(n, random);
        var c = Fill(m * ldc, random);
        foreach (var form in new[] { "A·B", "A·B + bias", "Aᵀ·B" })
        {
            var actual = (float[])c.Clone();
            if (form == "A·B") Gemm.MultiplyAdd(m, n, k, a, k, b, n, actual, ldc);
            else if (form == "A·B + bias") Gemm.MultiplyBias(m, n, k, a, k, b, n, bias, actual, ldc);
            else Gemm.MultiplyAddTransposedA(m, n, k, at, lda, b, n, actual, ldc);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < ldc; j++)
                {
                    float expected = c[i * ldc + j];
                    if (j < n)
                    {
                        expected = form == "A·B + bias" ? bias[j] : expected;
                        for (int p = 0; p < k; p++)
                        {
                            float x = form == "Aᵀ·B" ? at[p * lda + i] : a[i * k + p];
                            expected = fused ? MathF.FusedMultiplyAdd(x, b[p * n + j], expected) : x * b[p * n + j] + expected;
                        }
                    }
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual[i * ldc + j]),
                        $"{form} {m}×{n}×{k}: C[{i}, {j}] is {actual[i * ldc + j]:R}, the chain in order of k gives {expected:R}{(j >= n ? " (outside C's block: must be left as it was)" : "")}");
                }
            }
        }
    }

    /// <summary>
    /// A product one or two vectors wide (n = lanes or 2·lanes at the width this process runs) takes a narrow path,
    /// which reads Aᵀ and B in place; each element is still one chain of multiply-adds in order of k, so it gives the bits of the same
    /// columns computed inside a product twice as wide (the packed or direct path), in both forms of A.
    /// </summary>
    [Theory]
    [InlineData(8, 6400)]  // W4's ∂U = h[t-1]ᵀ·∂Z: 8 × 8 over 100 steps of batch 64
    [InlineData(64, 8)]    // W4's ∂h[t-1] = ∂z·Uᵀ at one step
    [InlineData(16, 500)]  // W4's ∂W = Eᵀ·S through the Embedding fold
    [InlineData(13, 300)]  // rows past a block of 8 and of 4, and a last single row
    [InlineData(3, 1)]
    public void A_product_one_or_two_vectors_wide_gives_the_bits_of_the_same_columns_in_a_wider_one(int m, int k)
    {
        // One vector of each width the products use here: 8 columns take 256-bit vectors on a 512-bit machine too.
        // Two vectors go four rows at a time (the 2n-wide comparison is then the packed or direct path's).
        int[] widths = Gemm.VectorBits switch { 512 => [16, 8, 32], 256 => [8, 16], 128 => [4, 8], _ => [1] };
        foreach (int n in widths)
        {
            int wide = 2 * n;
            var random = new Random(m * 31 + k + n);
            var a = Fill(m * k, random);
            var at = new float[k * m];
            for (int i = 0; i < m; i++)
                for (int p = 0; p < k; p++) at[p * m + i] = a[i * k + p];
            var bWide = Fill(k * wide, random);
            var b = LeftColumns(bWide, k, wide, n);
            var cWide = Fill(m * wide, random);
            var c = LeftColumns(cWide, m, wide, n);

            var narrow = (float[])c.Clone();
            Gemm.MultiplyAdd(m, n, k, a, k, b, n, narrow, n);
            var narrowT = (float[])c.Clone();
            Gemm.MultiplyAddTransposedA(m, n, k, at, m, b, n, narrowT, n);
            var widened = (float[])cWide.Clone();
            Gemm.MultiplyAdd(m, wide, k, a, k, bWide, wide, widened, wide);
            var widenedT = (float[])cWide.Clone();
            Gemm.MultiplyAddTransposedA(m, wide, k, at, m, bWide, wide, widenedT, wide);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    int bits = BitConverter.SingleToInt32Bits(widened[i * wide + j]);
                    Assert.True(bits == BitConverter.SingleToInt32Bits(narrow[i * n + j]), $"A·B {m}×{n}×{k}: C[{i}, {j}] is {narrow[i * n + j]:R}, {widened[i * wide + j]:R} in the {wide}-wide product");
                    Assert.True(BitConverter.SingleToInt32Bits(widenedT[i * wide + j]) == BitConverter.SingleToInt32Bits(narrowT[i * n + j]), $"Aᵀ·B {m}×{n}×{k}: C[{i}, {j}] differs from the {wide}-wide product");
                    Assert.True(bits == BitConverter.SingleToInt32Bits(narrowT[i * n + j]), $"{m}×{n}×{k}: C[{i}, {j}] differs between A and Aᵀ");
                }
        }
    }

    /// <summary>
    /// At 256 bits the packed path has two tiles, 6 × 16 and 4 × 24, and at 128 bits with 32 registers (ARM64, or x64
    /// with AVX-512) two more, 6 × 8 and 8 × 12; it takes the one that pads the product less. The tile changes no bit,
    /// since each element of C is one chain in order of k in all of them. Columns of a product that takes the wider
    /// tile against the same columns inside a wider product that takes the narrower one: 120 columns take 4 × 24
    /// (5 panels, no padding) and 128 take 6 × 16 (where 4 × 24 would pad to 144); 12, 24 and 36 columns take 8 × 12
    /// and 16 or 40 take 6 × 8. At the other widths and register files both products may take the same tile.
    /// </summary>
    [Theory]
    [InlineData(32, 120, 30, 128)]  // an LSTM(30)'s h·U at batch 32 (W2)
    [InlineData(32, 90, 30, 128)]   // a GRU(30)'s (W6)
    [InlineData(13, 48, 200, 128)]  // a ragged last row tile
    [InlineData(203, 72, 260, 128)] // past a block of rows and of k
    [InlineData(32, 12, 60, 16)]
    [InlineData(13, 24, 100, 40)]
    [InlineData(203, 36, 260, 40)]
    public void The_tile_a_product_takes_changes_no_bit(int m, int n, int k, int wide)
    {
        var random = new Random(m * 7 + n + k);
        var a = Fill(m * k, random);
        var bWide = Fill(k * wide, random);
        var b = LeftColumns(bWide, k, wide, n);
        var cWide = Fill(m * wide, random);
        var c = LeftColumns(cWide, m, wide, n);
        Gemm.MultiplyAdd(m, n, k, a, k, b, n, c, n);
        Gemm.MultiplyAdd(m, wide, k, a, k, bWide, wide, cWide, wide);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                Assert.True(BitConverter.SingleToInt32Bits(cWide[i * wide + j]) == BitConverter.SingleToInt32Bits(c[i * n + j]),
                    $"{m}×{n}×{k}: C[{i}, {j}] is {c[i * n + j]:R}, {cWide[i * wide + j]:R} in the {wide}-wide product");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Products_match_a_reference(int m, int n, int k)
    {
        var random = new Random(m * 1000 + n * 10 + k);
        int lda = k + 2, ldb = n + 3, ldc = n + 1; // padded leading dimensions
        var a = Fill(m * lda, random);
        var at = Fill(k * (m + 1), random); // Aᵀ stored [k, m] with lda m + 1
        var b = Fill(k * ldb, random);
        var c = Fill(m * ldc, random);
        var expected = (float[])c.Clone();
        var expectedT = (float[])c.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, st = 0;
                for (int p = 0; p < k; p++)
                {
                    s += (double)a[i * lda + p] * b[p * ldb + j];
                    st += (double)at[p * (m + 1) + i] * b[p * ldb + j];
                }
                expected[i * ldc + j] += (float)s;
                expectedT[i * ldc + j] += (float)st;
            }

        var actual = (float[])c.Clone();
        Gemm.MultiplyAdd(m, n, k, a, lda, b, ldb, actual, ldc);
        Assertions.AllClose(expected, actual, 1e-5, 1e-5, $"A·B {m}×{n}×{k}");
        var actualT = (float[])c.Clone();
        Gemm.MultiplyAddTransposedA(m, n, k, at, m + 1, b, ldb, actualT, ldc);
        Assertions.AllClose(expectedT, actualT, 1e-5, 1e-5, $"Aᵀ·B {m}×{n}×{k}");
    }

    [Fact]
    public void Too_short_buffers_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyAdd(2, 2, 2, new float[3], 2, new float[4], 2, new float[4], 2));
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyAdd(2, 2, 2, new float[4], 2, new float[3], 2, new float[4], 2));
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyAdd(2, 2, 2, new float[4], 2, new float[4], 2, new float[3], 2));
    }

    [Theory]
    [InlineData(64, 784, 196)] // W3's h·U: k spans two blocks of KC at every width
    [InlineData(64, 196, 784)] // W3's dZ·Uᵀ: seven blocks of k
    [InlineData(16, 30, 120)]
    public void A_row_job_reuses_the_packing_of_its_B_bit_identically_and_never_a_stale_one(int m, int n, int k)
    {
        var random = new Random(m + n + k);
        var a = Fill(m * k, random);
        var b = Fill(k * n, random);
        var other = Fill(k * n, random); // same shape, other values: must not get b's packing
        var c0 = Fill(m * n, random);
        float[] Outside(float[] bb, float[] start)
        {
            var c = (float[])start.Clone();
            Gemm.MultiplyAddRows(m, 0, m / 2, n, k, a, k, bb, n, c, n);
            Gemm.MultiplyAddRows(m, m / 2, m, n, k, a, k, bb, n, c, n);
            return c;
        }
        var expected = Outside(b, c0);
        var expectedOther = Outside(other, expected);
        var expectedAgain = Outside(b, expectedOther);

        var inside = (float[])c0.Clone();
        Gemm.BeginReuse();
        try
        {
            Gemm.MultiplyAddRows(m, 0, m / 2, n, k, a, k, b, n, inside, n);
            Gemm.MultiplyAddRows(m, m / 2, m, n, k, a, k, b, n, inside, n); // b's packing reused
            Assert.Equal(expected, inside);
            Gemm.MultiplyAddRows(m, 0, m / 2, n, k, a, k, other, n, inside, n); // another B: packed anew
            Gemm.MultiplyAddRows(m, m / 2, m, n, k, a, k, other, n, inside, n);
            Assert.Equal(expectedOther, inside);
            Gemm.MultiplyAddRows(m, 0, m / 2, n, k, a, k, b, n, inside, n);
            Gemm.MultiplyAddRows(m, m / 2, m, n, k, a, k, b, n, inside, n);
            Assert.Equal(expectedAgain, inside);
        }
        finally
        {
            Gemm.EndReuse();
        }

        // A new scope does not trust a packing from before it: b changed in place between the scopes.
        for (int i = 0; i < b.Length; i++) b[i] = -b[i];
        var negated = Outside(b, c0);
        var next = (float[])c0.Clone();
        Gemm.BeginReuse();
        try
        {
            Gemm.MultiplyAddRows(m, 0, m, n, k, a, k, b, n, next, n);
        }
        finally
        {
            Gemm.EndReuse();
        }
        Assert.Equal(negated, next);
    }

    /// <summary>
    /// A last panel narrower than its tile (masked loads and stores at 512 bits, a tile-sized buffer below): every width
    /// of panel from one 128-bit vector up, from the bias, into a nonzero C and split by rows between parts, gives the
    /// bits of the same columns inside a product with no narrow panel, and nothing past a row's n columns (C's row
    /// padding) or its last row changes. 24 and 32 rows are whole tiles of every row count (4, 6, 8); 30 leaves a
    /// ragged last tile.
    /// </summary>
    [Theory]
    [InlineData(24, 30)]
    [InlineData(32, 30)]  // W6's h·U at batch 32: 90 columns, a last 4 × 24 panel of 18 at 256 bits
    [InlineData(30, 70)]
    [InlineData(64, 140)] // past a block of k at 512 bits (KC 128)
    public void A_narrow_last_panel_gives_the_bits_of_a_whole_one_and_writes_nothing_past_it(int m, int k)
    {
        const int wide = 96; // a whole number of panels of every tile: 32, 24, 16, 12, 8
        const float Guard = -12345.5f;
        var random = new Random(m * 101 + k);
        var a = Fill(m * k, random);
        var bWide = Fill(k * wide, random);
        var biasWide = Fill(wide, random);
        var cStart = Fill(m * wide, random);
        var fromBias = new float[m * wide];
        Gemm.MultiplyBias(m, wide, k, a, k, bWide, wide, biasWide, fromBias, wide);
        var added = (float[])cStart.Clone();
        Gemm.MultiplyAdd(m, wide, k, a, k, bWide, wide, added, wide);
        for (int n = 4; n < wide; n++) // from one 128-bit vector: fewer columns take the scalar loop, another chain
        {
            int ldc = n + 3;
            var b = LeftColumns(bWide, k, wide, n);
            var bias = biasWide.AsSpan(0, n).ToArray();
            float[] Guarded(float[]? from)
            {
                var c = new float[m * ldc + 5];
                Array.Fill(c, Guard);
                if (from is not null)
                    for (int i = 0; i < m; i++) Array.Copy(from, i * wide, c, i * ldc, n);
                return c;
            }
            var viaBias = Guarded(null);
            Gemm.MultiplyBias(m, n, k, a, k, b, n, bias, viaBias, ldc);
            var viaRows = Guarded(null);
            Gemm.MultiplyBiasRows(m, 0, m / 2, n, k, a, k, b, n, bias, viaRows, ldc);
            Gemm.MultiplyBiasRows(m, m / 2, m, n, k, a, k, b, n, bias, viaRows, ldc);
            var viaAdd = Guarded(cStart);
            Gemm.MultiplyAdd(m, n, k, a, k, b, n, viaAdd, ldc);
            foreach (var (name, actual, expected) in new[] { ("bias", viaBias, fromBias), ("bias, rows in two parts", viaRows, fromBias), ("C +=", viaAdd, added) })
            {
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                        Assert.True(BitConverter.SingleToInt32Bits(expected[i * wide + j]) == BitConverter.SingleToInt32Bits(actual[i * ldc + j]),
                            $"{name}, {m}×{n}×{k}: C[{i}, {j}] is {actual[i * ldc + j]:R}, {expected[i * wide + j]:R} in the {wide}-wide product");
                    for (int j = n; j < ldc; j++)
                        Assert.True(actual[i * ldc + j] == Guard, $"{name}, {m}×{n}×{k}: row {i}'s padding column {j} was written ({actual[i * ldc + j]:R})");
                }
                for (int e = m * ldc; e < actual.Length; e++)
                    Assert.True(actual[e] == Guard, $"{name}, {m}×{n}×{k}: element {e}, past C's last row, was written");
            }
        }
    }

    // The first n columns of a [rows × wide] row-major matrix, as a [rows × n] one.
    private static float[] LeftColumns(float[] matrix, int rows, int wide, int n)
    {
        var left = new float[rows * n];
        for (int r = 0; r < rows; r++) Array.Copy(matrix, r * wide, left, r * n, n);
        return left;
    }

    private static float[] Fill(int length, Random random)
    {
        var v = new float[length];
        for (int i = 0; i < v.Length; i++) v[i] = random.NextSingle() * 2 - 1;
        return v;
    }
}
