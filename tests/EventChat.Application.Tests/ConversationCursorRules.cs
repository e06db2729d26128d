using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Immutable;
using EventChat.Application.Conversations;
using EventChat.Domain.Conversations;
using EventChat.Projections;

namespace EventChat.Application.Tests;

/// <summary>The conversation list's cursor: a keyset position (last activity, id) that the list's query reads back.</summary>
public sealed class ConversationCursorRules
{
    private static readonly Guid Id = Guid.Parse("0199a000-0000-7000-8000-0000000000c1");

    private static ConversationView View(DateTimeOffset lastActivityAt) =>
        new(Id, ConversationKind.Group, "Team", [], lastActivityAt, LastMessage: null, LastSequence: 1, lastActivityAt, ImmutableDictionary<Guid, long>.Empty);

    // A cursor made of the list's own format: a format byte, big-endian UTC ticks and the id.
    private static string Cursor(byte format, long ticks)
    {
        var bytes = new byte[25];
        bytes[0] = format;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), ticks);
        Id.TryWriteBytes(bytes.AsSpan(9), bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    [Fact]
    public void A_cursor_reads_back_as_the_last_activity_in_UTC_and_the_id_of_the_page_end()
    {
        var cursor = ConversationCursor.Issue(View(new DateTimeOffset(2026, 11, 26, 14, 30, 5, 123, TimeSpan.FromHours(2))));

        Assert.True(ConversationCursor.TryRead(cursor, out var position));
        Assert.Equal(["2026-11-26T12:30:05.1230000+00:00", Id], position);
    }

    [Fact]
    public void The_first_and_last_instants_a_cursor_can_hold_are_read()
    {
        Assert.True(ConversationCursor.TryRead(Cursor(1, 0), out var first));
        Assert.Equal(DateTimeOffset.MinValue.ToString("O"), first[0]);
        Assert.True(ConversationCursor.TryRead(Cursor(1, DateTimeOffset.MaxValue.UtcTicks), out var last));
        Assert.Equal(DateTimeOffset.MaxValue.ToString("O"), last[0]);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(3155378975999999999L + 1)] // one tick past DateTimeOffset.MaxValue
    [InlineData(long.MaxValue)]
    public void A_time_outside_what_a_date_can_hold_is_refused(long ticks)
    {
        Assert.False(ConversationCursor.TryRead(Cursor(1, ticks), out var position));
        Assert.Empty(position);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("page 2")]
    public void Anything_else_is_refused(string? cursor) => Assert.False(ConversationCursor.TryRead(cursor, out _));

    [Fact]
    public void A_cursor_of_another_format_is_refused() => Assert.False(ConversationCursor.TryRead(Cursor(2, 0), out _));
}
