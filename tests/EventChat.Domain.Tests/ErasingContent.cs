using EventChat.Domain.Conversations;
using EventChat.Domain.Users;

namespace EventChat.Domain.Tests;

public sealed class ErasingContent : ConversationSpec
{
    [Fact]
    public void A_direct_conversation_is_erased_when_its_second_participant_agrees()
    {
        var start = DirectChat(Alice, Bob);
        var first = Given(start).EraseContent(Alice, actorIsAdmin: false, Now);

        Assert.Equal([new ConversationErasureConsented(start.ConversationId, Alice, Now)], first);
        var second = Given([start, .. first]).EraseContent(Bob, actorIsAdmin: false, Now);
        Assert.Equal([new ConversationErasureConsented(start.ConversationId, Bob, Now), new ConversationContentErased(start.ConversationId, Bob, Now)], second);
    }

    [Fact]
    public void Until_everyone_agrees_the_others_are_still_awaited()
    {
        var start = DirectChat(Alice, Bob);

        Assert.Equal([Alice, Bob], Given(start).AwaitingErasureConsent);
        Assert.Equal([Bob], Given(start, new ConversationErasureConsented(start.ConversationId, Alice, Now)).AwaitingErasureConsent);
    }

    [Fact]
    public void Asking_twice_records_one_consent_and_an_erasure_asks_everyone_again()
    {
        var start = DirectChat(Alice, Bob);
        var consented = new ConversationErasureConsented(start.ConversationId, Alice, Now);

        Assert.Empty(Given(start, consented).EraseContent(Alice, actorIsAdmin: false, Now));
        var erased = Given(start, consented, new ConversationErasureConsented(start.ConversationId, Bob, Now), new ConversationContentErased(start.ConversationId, Bob, Now));
        Assert.Equal([Alice, Bob], erased.AwaitingErasureConsent);
        Assert.Equal(4, erased.LastSequence);
    }

    [Fact]
    public void An_admin_erases_any_conversation_at_once_and_only_an_admin_erases_a_group()
    {
        var group = GroupChat(Alice, Bob);

        Assert.Equal([new ConversationContentErased(group.ConversationId, Dave, Now)], Given(group).EraseContent(Dave, actorIsAdmin: true, Now));
        ThenBroken(DomainError.Forbidden, "Only an admin can erase a group's content.", () => Given(group).EraseContent(Alice, actorIsAdmin: false, Now));
        ThenBroken(DomainError.NotFound, () => Given(DirectChat(Alice, Bob)).EraseContent(Carol, actorIsAdmin: false, Now));
    }

    [Fact]
    public void An_erased_account_keeps_no_name_or_password_and_cannot_be_erased_again()
    {
        var account = UserAccount.Create(UserAccount.Register(Alice, "alice", "Alice A.", "hash", Now)).Apply(new UserErased(Alice, Now));

        Assert.Equal((UserAccount.ErasedName, UserAccount.ErasedName, "", Now), (account.Username, account.DisplayName, account.PasswordHash, account.ErasedAt));
        Assert.NotEqual("alice", account.NormalizedUsername);
        ThenBroken(DomainError.NotFound, "User was not found.", () => account.Erase(Now));
    }

    [Fact]
    public void Erasing_an_account_records_when() =>
        Assert.Equal(new UserErased(Alice, Now), UserAccount.Create(UserAccount.Register(Alice, "alice", null, "hash", Now)).Erase(Now));

    // The unique index on the normalised name must hold for every erased account, and nobody can register ':'.
    [Fact]
    public void Erased_accounts_keep_distinct_names_that_nobody_can_register()
    {
        var alice = UserAccount.Create(UserAccount.Register(Alice, "alice", null, "hash", Now)).Apply(new UserErased(Alice, Now));
        var bob = UserAccount.Create(UserAccount.Register(Bob, "bob", null, "hash", Now)).Apply(new UserErased(Bob, Now));

        Assert.NotEqual(alice.NormalizedUsername, bob.NormalizedUsername);
        Assert.All([alice.NormalizedUsername, bob.NormalizedUsername], name => Assert.StartsWith("erased:", name));
    }
}
