using System.Security.Cryptography;

namespace EventChat.Domain.Conversations;

public static class DirectConversation
{
    /// <summary>
    /// The id of the one direct conversation between two users, derived from the pair so that
    /// whoever writes first lands in the same stream (a race becomes a stream-id conflict, not two chats).
    /// </summary>
    public static Guid IdFor(Guid userA, Guid userB)
    {
        var (low, high) = userA.CompareTo(userB) <= 0 ? (userA, userB) : (userB, userA);
        Span<byte> input = stackalloc byte[39];
        "direct:"u8.CopyTo(input);
        low.TryWriteBytes(input[7..23], bigEndian: true, out _);
        high.TryWriteBytes(input[23..], bigEndian: true, out _);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        // Mark it as an RFC 9562 version-8 (custom) UUID with the standard variant.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
