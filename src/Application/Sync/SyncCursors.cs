using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace EventChat.Application.Sync;

/// <summary>
/// Issues and checks the opaque cursors of the sync feed. A cursor is base64url of 25 bytes: a format byte (1),
/// the global event sequence the caller has everything up to (8, big-endian), and the first 16 bytes of
/// HMAC-SHA256 over (user id, sequence). So a cursor is bound to the user it was issued to, cannot be forged
/// or edited without the key, and a cursor of another user's feed fails the check.
/// </summary>
public sealed class SyncCursors
{
    private const byte Format = 1;
    private const int MacBytes = 16;
    private const int Length = 1 + sizeof(long) + MacBytes;
    private static readonly byte[] Purpose = "EventChat sync cursor v1"u8.ToArray();

    private readonly byte[] _key;

    /// <param name="secret">The server's signing secret; the cursor key is derived from it (HKDF-SHA256) and used for nothing else.</param>
    public SyncCursors(ReadOnlySpan<byte> secret) =>
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret.ToArray(), 32, salt: [], info: Purpose);

    public string Issue(Guid userId, long sequence)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Format;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], sequence);
        Mac(userId, sequence, bytes[(1 + sizeof(long))..]);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The sequence a cursor stands for, if this server issued it to <paramref name="userId"/>.</summary>
    public bool TryRead(Guid userId, string? cursor, out long sequence)
    {
        sequence = 0;
        Span<byte> bytes = stackalloc byte[Length];
        if (!OpaqueCursor.TryDecode(cursor, Format, bytes))
            return false;
        var candidate = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(userId, candidate, expected);
        if (candidate < 0 || !CryptographicOperations.FixedTimeEquals(expected, bytes.Slice(1 + sizeof(long), MacBytes)))
            return false;
        sequence = candidate;
        return true;
    }

    private void Mac(Guid userId, long sequence, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[16 + sizeof(long)];
        userId.TryWriteBytes(input, bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(input[16..], sequence);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, input, mac);
        mac[..MacBytes].CopyTo(destination);
    }
}
