namespace ModelGen.Text;

/// <summary>Where <see cref="Sequences.PadSequences(System.Collections.Generic.IReadOnlyList{int[]}, int?, Padding, Truncating, int)"/> pads a short sequence (Keras <c>padding</c>).</summary>
public enum Padding
{
    /// <summary>Padding before the sequence: its values end the row (Keras <c>'pre'</c>, the default).</summary>
    Pre,
    /// <summary>Padding after the sequence: its values start the row (Keras <c>'post'</c>).</summary>
    Post,
}

/// <summary>Which end <see cref="Sequences.PadSequences(System.Collections.Generic.IReadOnlyList{int[]}, int?, Padding, Truncating, int)"/> cuts from a long sequence (Keras <c>truncating</c>).</summary>
public enum Truncating
{
    /// <summary>Drop values from the start, keeping the last ones (Keras <c>'pre'</c>, the default).</summary>
    Pre,
    /// <summary>Drop values from the end, keeping the first ones (Keras <c>'post'</c>).</summary>
    Post,
}
