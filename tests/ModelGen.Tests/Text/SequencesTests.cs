using System;
using ModelGen.Text;

namespace ModelGen.Tests.Text;

/// <summary>
/// <see cref="Sequences"/> against Keras's <c>pad_sequences</c> and <c>to_categorical</c>: every expected value is
/// what the Keras call in the comment above it returns.
/// </summary>
public sealed class SequencesTests
{
    private static readonly int[][] Ragged = [[1], [2, 3], [4, 5, 6]];

    private static void AssertRows(int[][] expected, PaddedSequences actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        int length = expected.Length == 0 ? 0 : expected[0].Length;
        Assert.Equal(length, actual.Length);
        Assert.Equal(expected.Length * length, actual.Data.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual.Row(i).ToArray());
            for (int t = 0; t < length; t++) Assert.Equal(expected[i][t], actual[i, t]);
        }
    }

    [Fact]
    public void Pads_before_by_default_to_the_longest()
    {
        // pad_sequences([[1], [2, 3], [4, 5, 6]]) -> [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
        AssertRows([[0, 0, 1], [0, 2, 3], [4, 5, 6]], Sequences.PadSequences(Ragged));
    }

    [Fact]
    public void Pads_after_with_post()
    {
        // pad_sequences([[1], [2, 3], [4, 5, 6]], padding='post') -> [[1, 0, 0], [2, 3, 0], [4, 5, 6]]
        AssertRows([[1, 0, 0], [2, 3, 0], [4, 5, 6]], Sequences.PadSequences(Ragged, padding: Padding.Post));
    }

    [Fact]
    public void Truncates_the_start_by_default()
    {
        // pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2) -> [[0, 1], [2, 3], [5, 6]]
        AssertRows([[0, 1], [2, 3], [5, 6]], Sequences.PadSequences(Ragged, maxLen: 2));
    }

    [Fact]
    public void Truncates_the_end_with_post()
    {
        // pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2, truncating='post') -> [[0, 1], [2, 3], [4, 5]]
        AssertRows([[0, 1], [2, 3], [4, 5]], Sequences.PadSequences(Ragged, maxLen: 2, truncating: Truncating.Post));
    }

    [Fact]
    public void Post_padding_and_post_truncating_together()
    {
        // pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2, padding='post', truncating='post') -> [[1, 0], [2, 3], [4, 5]]
        AssertRows([[1, 0], [2, 3], [4, 5]], Sequences.PadSequences(Ragged, 2, Padding.Post, Truncating.Post));
        // pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2, padding='post') -> [[1, 0], [2, 3], [5, 6]]
        AssertRows([[1, 0], [2, 3], [5, 6]], Sequences.PadSequences(Ragged, 2, Padding.Post));
    }

    [Fact]
    public void Pads_with_the_given_value()
    {
        // pad_sequences([[1], [2, 3], [4, 5, 6]], value=-1) -> [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]
        AssertRows([[-1, -1, 1], [-1, 2, 3], [4, 5, 6]], Sequences.PadSequences(Ragged, value: -1));
    }

    [Fact]
    public void Max_len_longer_than_every_sequence()
    {
        // pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=5) -> [[0, 0, 0, 0, 1], [0, 0, 0, 2, 3], [0, 0, 4, 5, 6]]
        AssertRows([[0, 0, 0, 0, 1], [0, 0, 0, 2, 3], [0, 0, 4, 5, 6]], Sequences.PadSequences(Ragged, maxLen: 5));
        // pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=5, padding='post') -> [[1, 0, 0, 0, 0], [2, 3, 0, 0, 0], [4, 5, 6, 0, 0]]
        AssertRows([[1, 0, 0, 0, 0], [2, 3, 0, 0, 0], [4, 5, 6, 0, 0]], Sequences.PadSequences(Ragged, 5, Padding.Post));
    }

    [Fact]
    public void Empty_sequences_are_rows_of_padding()
    {
        // pad_sequences([[], [1, 2]])       -> [[0, 0], [1, 2]]
        // pad_sequences([[], []]).shape     -> (2, 0)
        // pad_sequences([[1, 2], [3]], maxlen=0, truncating='post').shape -> (2, 0)
        AssertRows([[0, 0], [1, 2]], Sequences.PadSequences([[], [1, 2]]));
        var allEmpty = Sequences.PadSequences([[], []]);
        Assert.Equal((2, 0), (allEmpty.Count, allEmpty.Length));
        var zero = Sequences.PadSequences([[1, 2], [3]], maxLen: 0, truncating: Truncating.Post);
        Assert.Equal((2, 0), (zero.Count, zero.Length));
        Assert.Empty(zero.Data);
        Assert.True(zero.Row(1).IsEmpty);
    }

    [Fact]
    public void No_sequences_give_an_empty_block()
    {
        // pad_sequences([], maxlen=4).shape -> (0, 4)
        var none = Sequences.PadSequences(Array.Empty<int[]>(), maxLen: 4);
        Assert.Equal((0, 4), (none.Count, none.Length));
        Assert.Empty(none.Data);
    }

    [Fact]
    public void Pads_float_sequences()
    {
        // pad_sequences([[0.5], [1.5, 2.5, 3.5]], maxlen=2, dtype='float32', padding='post', value=-1.0)
        //   -> [[0.5, -1.0], [2.5, 3.5]]
        float[][] sequences = [[0.5f], [1.5f, 2.5f, 3.5f]];
        var padded = Sequences.PadSequences(sequences, 2, Padding.Post, value: -1f);
        Assert.Equal(new float[] { 0.5f, -1f, 2.5f, 3.5f }, padded.Data);
        Assert.Equal(2.5f, padded[1, 0]);
        Assert.Equal(new float[] { 0.5f, -1f }, padded.Row(0).ToArray());
    }

    [Fact]
    public void Result_is_flat_row_major_and_feeds_a_batch()
    {
        var padded = Sequences.PadSequences(Ragged);
        Assert.Equal(new[] { 0, 0, 1, 0, 2, 3, 4, 5, 6 }, padded.Data);
        Assert.Equal(new PaddedSequences([0, 0, 1, 0, 2, 3, 4, 5, 6], 3, 3), padded);
        Assert.NotEqual(new PaddedSequences([0, 0, 1, 0, 2, 3, 4, 5, 6], 1, 9), padded);
        Assert.Equal(new PaddedSequences([0, 0, 1, 0, 2, 3, 4, 5, 6], 3, 3).GetHashCode(), padded.GetHashCode());
        Assert.Contains("Count = 3, Length = 3", padded.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_range_access_throws()
    {
        var padded = Sequences.PadSequences(Ragged);
        Assert.Throws<ArgumentOutOfRangeException>(() => padded[3, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => padded[0, 3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => padded.Row(-1).Length);
        Assert.Throws<ArgumentException>(() => new PaddedSequences(new int[5], 2, 3));
    }

    [Fact]
    public void Negative_max_len_throws_with_a_clear_message()
    {
        // Keras: ValueError: negative dimensions are not allowed
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Sequences.PadSequences(Ragged, maxLen: -1));
        Assert.Equal("maxLen", ex.ParamName);
        Assert.Contains("non-negative", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_arguments_throw()
    {
        Assert.Throws<ArgumentNullException>(() => Sequences.PadSequences((int[][])null!));
        var ex = Assert.Throws<ArgumentException>(() => Sequences.PadSequences(new int[][] { [1], null! }));
        Assert.Contains("sequences[1]", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Sequences.PadSequences(Ragged, padding: (Padding)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sequences.PadSequences(Ragged, truncating: (Truncating)7));
    }

    [Fact]
    public void To_categorical_infers_the_number_of_classes()
    {
        // to_categorical([0, 2, 1, 2]) -> [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]]
        Assert.Equal(new float[] { 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1 }, Sequences.ToCategorical([0, 2, 1, 2]));
        // to_categorical([1, 0], num_classes=0) -> [[0, 1], [1, 0]]   (Keras treats 0 like None)
        Assert.Equal(new float[] { 0, 1, 1, 0 }, Sequences.ToCategorical([1, 0], 0));
    }

    [Fact]
    public void To_categorical_with_num_classes()
    {
        // to_categorical([3, 0], num_classes=5) -> [[0, 0, 0, 1, 0], [1, 0, 0, 0, 0]]
        Assert.Equal(new float[] { 0, 0, 0, 1, 0, 1, 0, 0, 0, 0 }, Sequences.ToCategorical([3, 0], 5));
        // to_categorical([], num_classes=3).shape -> (0, 3)
        Assert.Empty(Sequences.ToCategorical([], 3));
    }

    [Fact]
    public void To_categorical_into_a_span_overwrites_it()
    {
        var destination = new float[8];
        destination.AsSpan().Fill(7f);
        Sequences.ToCategorical([1, 2], 3, destination);
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 1, 7, 7 }, destination);
        Assert.Throws<ArgumentException>(() => Sequences.ToCategorical([1, 2], 3, new float[5]));
    }

    [Fact]
    public void To_categorical_rejects_labels_out_of_range_naming_index_and_value()
    {
        // to_categorical([0, 3], num_classes=3) -> IndexError: index 3 is out of bounds for axis 1 with size 3
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Sequences.ToCategorical([0, 3], 3));
        Assert.Equal("labels", ex.ParamName);
        Assert.Contains("labels[1] = 3", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, ex.ActualValue);
        // Keras would wrap -1 to the last class; here it is an error.
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => Sequences.ToCategorical([1, 0, -1]));
        Assert.Contains("labels[2] = -1", negative.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Sequences.ToCategorical([0], -2));
    }
}
