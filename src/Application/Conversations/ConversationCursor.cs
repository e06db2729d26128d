using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using EventChat.Projections;

namespace EventChat.Application.Conversations;

/// <summary>
/// The conversation list's cursor: base64url of a format byte, the last activity's UTC ticks (8 bytes, big-endian) and
/// the conversation id (16). It names a place in the caller's own list and nothing else, so it needs no signature.
/// </summary>
public static class ConversationCursor
{
    private const byte Format = 1;
    private const int Length = 1 + sizeof(long) + 16;

    /// <summary>
    /// SQL that is true for the conversations after the position bound to its two <c>?</c> (<see cref="TryRead"/>), in
    /// the list's order. The time goes in as text and is cast as Marten casts the stored one, so both are rounded to
    /// PostgreSQL's microseconds alike and the conversation at the cursor compares equal to it.
    /// </summary>
    public const string After = "(CAST(d.data ->> 'lastActivityAt' as timestamptz), d.id) < (CAST(? as timestamptz), ?)";

    public static string Issue(ConversationView view)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Format;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], view.LastActivityAt.UtcTicks);
        view.Id.TryWriteBytes(bytes[(1 + sizeof(long))..], bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The parameters of <see cref="After"/> for a cursor of this list; false for anything else.</summary>
    public static bool TryRead(string? cursor, out object[] position)
    {
        position = [];
        Span<byte> bytes = stackalloc byte[Length];
        if (!OpaqueCursor.TryDecode(cursor, Format, bytes))
            return false;
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        if (ticks < 0 || ticks > DateTimeOffset.MaxValue.UtcTicks)
            return false;
        var at = new DateTimeOffset(ticks, TimeSpan.Zero);
        position = [at.ToString("O", CultureInfo.InvariantCulture), new Guid(bytes[(1 + sizeof(long))..], bigEndian: true)];
        return true;
    }
}
