namespace EventChat.Application.Tests;

/// <summary>The cursor of the lists read newest first by a duplicated time column (the post feed, the session directory).</summary>
public sealed class NewestFirstCursorRules
{
    private static readonly Guid Id = Guid.Parse("0199a000-0000-7000-8000-0000000000c1");
    private static readonly NewestFirstCursor Feed = new(Format: 2, TimeColumn: "created_at");

    [Fact]
    public void A_cursor_reads_back_as_the_time_in_UTC_to_the_tick_and_the_id_bound_as_themselves()
    {
        var at = new DateTimeOffset(2026, 11, 26, 14, 30, 5, 123, TimeSpan.FromHours(2)).AddTicks(4567);

        Assert.True(Feed.TryRead(Feed.Issue(at, Id), out var position));

        Assert.Equal([at.ToUniversalTime(), Id], position);
        Assert.Equal(TimeSpan.Zero, ((DateTimeOffset)position[0]).Offset);
    }

    [Fact]
    public void The_sql_compares_the_time_column_and_the_id_together() =>
        Assert.Equal("(d.created_at, d.id) < (?, ?)", Feed.After);

    [Fact]
    public void A_cursor_of_another_list_is_refused()
    {
        var other = new NewestFirstCursor(Format: 3, TimeColumn: "created_at");

        Assert.False(Feed.TryRead(other.Issue(DateTimeOffset.UnixEpoch, Id), out var position));
        Assert.Empty(position);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("page 2")]
    public void Anything_else_is_refused(string? cursor) => Assert.False(Feed.TryRead(cursor, out _));
}
