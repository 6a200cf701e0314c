namespace Raft.Core.Encoding;

/// <summary>Bytes that are not a valid encoding: truncated, malformed, or with trailing garbage.</summary>
public sealed class CodecException : FormatException
{
    public CodecException(string message) : base(message) { }
}
