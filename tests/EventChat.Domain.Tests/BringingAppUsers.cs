using EventChat.Domain.Users;

namespace EventChat.Domain.Tests;

/// <summary>Given an app user's stream, when the app states their profile or suspends them, then the event (or none).</summary>
public sealed class BringingAppUsers : ConversationSpec
{
    private static readonly UserProvisioned Provisioned = UserAccount.Provision("auth0|ann", " Ann ", "https://cdn.example/ann.png", null, Now);

    [Fact]
    public void An_apps_id_maps_to_a_name_based_uuid_as_RFC_9562_defines_it()
    {
        // RFC 9562 appendix A.4: the DNS namespace and "www.example.com".
        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"), AppUser.NameBased(new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "www.example.com"));
        Assert.Equal(AppUser.IdOf("auth0|ann"), Provisioned.UserId);
        Assert.NotEqual(AppUser.IdOf("auth0|ann"), AppUser.IdOf("auth0|Ann"));
    }

    [Fact]
    public void A_provisioned_user_is_named_by_the_apps_id_which_no_registration_can_take()
    {
        var account = UserAccount.Create(Provisioned);

        Assert.Equal(("auth0|ann", "app:auth0|ann", "Ann", ""), (account.Username, account.NormalizedUsername, account.DisplayName, account.PasswordHash));
        Assert.Equal("auth0|ann", UserAccount.Create(UserAccount.Provision("auth0|ann", null, null, null, Now)).DisplayName);
    }

    [Fact]
    public void The_same_profile_again_changes_nothing_and_what_is_left_out_is_cleared()
    {
        var account = UserAccount.Create(Provisioned);

        Assert.Null(account.ChangeProfile("Ann", "https://cdn.example/ann.png", new Dictionary<string, string>(), Now));
        Assert.Equal(new UserProfileChanged(account.Id, "Ann", null, null, Now), account.ChangeProfile("Ann", null, null, Now));
    }

    [Fact]
    public void Deactivating_twice_or_reactivating_an_active_user_changes_nothing()
    {
        var account = UserAccount.Create(Provisioned);
        var deactivated = account.Deactivate(Now)!;

        Assert.Null(account.Reactivate(Now));
        Assert.Null(account.Apply(deactivated).Deactivate(Now));
        Assert.Equal(new UserReactivated(account.Id, Now), account.Apply(deactivated).Reactivate(Now));
    }

    [Fact]
    public void An_erased_user_cannot_be_brought_back_or_suspended()
    {
        var erased = UserAccount.Create(Provisioned).Apply(new UserErased(AppUser.IdOf("auth0|ann"), Now));

        Assert.Equal(DomainError.Conflict, Assert.Throws<DomainException>(() => erased.ChangeProfile("Ann", null, null, Now)).Error);
        Assert.Equal(DomainError.NotFound, Assert.Throws<DomainException>(() => erased.Deactivate(Now)).Error);
        Assert.Null(erased.ExternalId);
    }
}
