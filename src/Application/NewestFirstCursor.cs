using System.Buffers.Binary;
using System.Buffers.Text;

namespace EventChat.Application;

/// <summary>
/// The cursor of a list read newest first by a time, then by id: base64url of a format byte, the time's UTC ticks
/// (8 bytes, big-endian) and the id (16). It is a keyset position, not an offset, so what a list gains while a client
/// pages lands above every cursor already issued and the later pages neither repeat nor skip an item. It names a place
/// in a public order and nothing else, so it needs no signature.
/// </summary>
/// <param name="Format">One per list, so that a cursor of one list is refused by another.</param>
/// <param name="TimeColumn">
/// The list's time, a <c>timestamptz</c> column Marten duplicates from the document and indexes together with the id.
/// </param>
public sealed record NewestFirstCursor(byte Format, string TimeColumn)
{
    private const int Length = 1 + sizeof(long) + 16;

    /// <summary>
    /// SQL that is true for the rows after the position bound to its two <c>?</c> (<see cref="TryRead"/>), in the list's
    /// order. The time is bound as a <c>timestamptz</c>, so Npgsql cuts it to PostgreSQL's microseconds exactly as it
    /// cut the stored one, and the row at the cursor compares equal to it rather than coming round again.
    /// </summary>
    public string After => $"(d.{TimeColumn}, d.id) < (?, ?)";

    public string Issue(DateTimeOffset at, Guid id) => Encode(Format, at, id);

    /// <summary>The parameters of <see cref="After"/> for a cursor of this list; false for anything else.</summary>
    public bool TryRead(string? cursor, out object[] position)
    {
        var valid = TryDecode(cursor, Format, out var at, out var id);
        position = valid ? [at, id] : [];
        return valid;
    }

    public static string Encode(byte format, DateTimeOffset at, Guid id)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = format;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], at.UtcTicks);
        id.TryWriteBytes(bytes[(1 + sizeof(long))..], bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The time (in UTC) and id of a cursor of the list <paramref name="format"/> names; false for anything else.</summary>
    public static bool TryDecode(string? cursor, byte format, out DateTimeOffset at, out Guid id)
    {
        (at, id) = (default, default);
        Span<byte> bytes = stackalloc byte[Length];
        if (!OpaqueCursor.TryDecode(cursor, format, bytes))
            return false;
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        if (ticks < 0 || ticks > DateTimeOffset.MaxValue.UtcTicks)
            return false;
        (at, id) = (new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes[(1 + sizeof(long))..], bigEndian: true));
        return true;
    }
}
