using System.Buffers.Text;
using EventChat.Application.Sync;
using static EventChat.Application.Tests.TestUsers;

namespace EventChat.Application.Tests;

/// <summary>The sync feed's cursor: opaque, bound to its user, and refused when it was edited or is not one.</summary>
public sealed class SyncCursorRules
{
    private static readonly SyncCursors Cursors = new("the server's signing secret, 32+ bytes"u8);

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(123_456_789L)]
    [InlineData(long.MaxValue)]
    public void A_cursor_reads_back_as_the_sequence_it_was_issued_for(long sequence)
    {
        var cursor = Cursors.Issue(Alice, sequence);

        Assert.True(Cursors.TryRead(Alice, cursor, out var read));
        Assert.Equal(sequence, read);
    }

    [Fact]
    public void A_cursor_is_url_safe() => Assert.Matches("^[A-Za-z0-9_-]+$", Cursors.Issue(Alice, long.MaxValue));

    // Clients keep their cursor across server upgrades: a change to the format or the signature would send every one of
    // them back to a full sync.
    [Fact]
    public void A_cursor_is_the_same_from_release_to_release() =>
        Assert.Equal("AQAAAAAAAAAqOMjdBTNSX9K5wQvEfuw50A", Cursors.Issue(Alice, 42));

    [Fact]
    public void Another_users_cursor_is_refused()
    {
        Assert.False(Cursors.TryRead(Bob, Cursors.Issue(Alice, 42), out var read));
        Assert.Equal(0, read);
    }

    [Fact]
    public void A_cursor_of_a_server_with_another_secret_is_refused() =>
        Assert.False(new SyncCursors("another server's secret"u8).TryRead(Alice, Cursors.Issue(Alice, 42), out _));

    [Fact]
    public void A_cursor_whose_sequence_was_edited_is_refused()
    {
        var bytes = Base64Url.DecodeFromChars(Cursors.Issue(Alice, 42));
        bytes[8] = 41; // the sequence's low byte (big-endian after the format byte)

        Assert.False(Cursors.TryRead(Alice, Base64Url.EncodeToString(bytes), out var read));
        Assert.Equal(0, read);
    }

    [Fact]
    public void A_cursor_of_another_format_is_refused()
    {
        var bytes = Base64Url.DecodeFromChars(Cursors.Issue(Alice, 42));
        bytes[0] = 2; // the signature does not cover the format byte: only the format check can refuse this

        Assert.False(Cursors.TryRead(Alice, Base64Url.EncodeToString(bytes), out _));
    }

    [Fact]
    public void A_negative_sequence_is_refused_even_when_signed() =>
        Assert.False(Cursors.TryRead(Alice, Cursors.Issue(Alice, -1), out _));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a cursor!")]
    [InlineData("AQ")] // the format byte alone
    [InlineData("AQAAAAAAAAAq")] // the format byte and a sequence, without a signature
    public void Anything_a_client_makes_up_is_refused(string? cursor) => Assert.False(Cursors.TryRead(Alice, cursor, out _));

    [Fact]
    public void A_cursor_with_extra_bytes_or_characters_is_refused()
    {
        var cursor = Cursors.Issue(Alice, 42);
        var longer = Base64Url.EncodeToString([.. Base64Url.DecodeFromChars(cursor), 0]);

        Assert.False(Cursors.TryRead(Alice, longer, out _));
        Assert.False(Cursors.TryRead(Alice, cursor + cursor, out _));
        Assert.False(Cursors.TryRead(Alice, cursor[..^1], out _));
    }
}
