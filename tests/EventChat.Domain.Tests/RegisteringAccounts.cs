using EventChat.Domain.Users;

namespace EventChat.Domain.Tests;

public sealed class RegisteringAccounts : ConversationSpec
{
    [Fact]
    public void A_name_is_kept_as_written_less_surrounding_spaces_and_is_unique_ignoring_case()
    {
        var registered = UserAccount.Register(Alice, "  Alice ", " Alice A. ", "hash", Now);
        var account = UserAccount.Create(registered);

        Assert.Equal(new UserRegistered(Alice, "Alice", "Alice A.", "hash", Now), registered);
        Assert.Equal(("Alice", "alice"), (account.Username, account.NormalizedUsername));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Without_a_display_name_the_username_is_shown(string? displayName) =>
        Assert.Equal("bob", UserAccount.Register(Bob, " bob ", displayName, "hash", Now).DisplayName);
}
