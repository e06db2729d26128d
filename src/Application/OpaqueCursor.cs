using System.Buffers.Text;

namespace EventChat.Application;

/// <summary>The envelope of the API's opaque cursors: base64url of a fixed number of bytes, the first a format byte.</summary>
public static class OpaqueCursor
{
    /// <summary>Longer than any cursor the server issues; anything longer is refused before it is decoded.</summary>
    private const int MaxChars = 64;

    /// <summary>
    /// Decodes <paramref name="cursor"/> into <paramref name="bytes"/>, filling it exactly, with <paramref name="format"/>
    /// as its first byte; false for anything else, whatever a client sent.
    /// </summary>
    public static bool TryDecode(string? cursor, byte format, Span<byte> bytes) =>
        // IsValid first: TryDecodeFromChars throws, rather than answering false, on characters outside the alphabet.
        cursor is { Length: <= MaxChars } && Base64Url.IsValid(cursor, out var length) && length == bytes.Length
        && Base64Url.TryDecodeFromChars(cursor, bytes, out var written) && written == bytes.Length && bytes[0] == format;
}
