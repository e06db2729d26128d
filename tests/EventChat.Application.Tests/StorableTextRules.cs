using EventChat.Application.Pipeline;

namespace EventChat.Application.Tests;

public sealed class StorableTextRules
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("\U0001F600")] // a surrogate pair: one emoji
    [InlineData("a\U0001F600b\U0001F44D")]
    [InlineData("\uFFFF tab\t and newline\n")]
    public void Text_without_NUL_or_an_unpaired_surrogate_is_storable(string? text) => Assert.True(StorableText.IsStorable(text));

    // A fact, not a theory: xUnit's theory data would turn a lone surrogate into U+FFFD before the test sees it.
    [Fact]
    public void NUL_or_an_unpaired_surrogate_is_not_storable()
    {
        string[] unstorable =
        [
            "\0",
            "hello\0",
            "\uD83D", // a high surrogate at the end
            "\uD83Dx", // a high surrogate followed by something else
            "\uD83D\uD83D\uDE00", // two highs, then one low
            "\uDE00", // a low surrogate alone
            "x\uDE00\uD83D", // a pair the wrong way round
            "\U0001F600\uDE00", // a stray low after a good pair
        ];

        Assert.All(unstorable, text => Assert.False(StorableText.IsStorable(text), $"storable: {string.Join(' ', text.Select(c => $"U+{(int)c:X4}"))}"));
    }

    [Fact]
    public void A_failure_names_the_field_as_clients_spell_it_and_states_the_rule()
    {
        var failure = StorableText.Failure("Content");

        Assert.Equal("Content", failure.PropertyName);
        Assert.Equal("'content' must not contain U+0000 (NUL) or an unpaired UTF-16 surrogate.", failure.ErrorMessage);
    }

    public sealed record Command(string Content, string? Title, int Count, IReadOnlyList<string>? Tags, string[] Aliases);

    [Fact]
    public void Every_text_of_a_message_is_checked_and_each_entry_of_its_lists_by_index()
    {
        var command = new Command("bad\0", Title: null, Count: 3, Tags: ["ok", "\uD83D", "fine", "\0"], Aliases: ["\uDE00"]);

        var failures = StorableText.Failures(command).Select(f => f.PropertyName);

        Assert.Equal(["Content", "Tags[1]", "Tags[3]", "Aliases[0]"], failures);
    }

    [Fact]
    public void A_message_whose_texts_are_all_storable_has_no_failures()
    {
        Assert.Empty(StorableText.Failures(new Command("hello \U0001F600", "title", 1, Tags: ["a", "b"], Aliases: [])));
        Assert.Empty(StorableText.Failures(new Command("hello", Title: null, 0, Tags: null, Aliases: [])));
    }
}
