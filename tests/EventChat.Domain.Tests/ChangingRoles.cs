using EventChat.Domain.Users;

namespace EventChat.Domain.Tests;

/// <summary>Given a user stream's events, when a role decision, then the event (or none for a harmless repeat).</summary>
public sealed class ChangingRoles : ConversationSpec
{
    private static readonly Guid Admin = Alice;
    private static readonly UserRegistered Registered = UserAccount.Register(Bob, "bob", null, "hash", Now);

    /// <summary>Folds a user stream the way Marten does: Create from the first event, Apply for the rest.</summary>
    private static UserAccount Given(params IUserAccountEvent[] events) =>
        events.Skip(1).Aggregate(UserAccount.Create((UserRegistered)events[0]), (state, e) => state.Apply(e));

    [Fact]
    public void A_new_account_is_a_plain_user() => Assert.Equal(Roles.User, Given(Registered).Role);

    [Fact]
    public void An_admin_grants_a_role_to_an_account()
    {
        var changed = Given(Registered).ChangeRole(Roles.Moderator, Admin, Now);

        Assert.Equal(new UserRoleChanged(Bob, Roles.Moderator, Admin, Now), changed);
        Assert.Equal(Roles.Moderator, Given(Registered, changed!).Role);
    }

    [Fact]
    public void An_admin_revokes_a_role()
    {
        var moderator = new UserRoleChanged(Bob, Roles.Moderator, Admin, Now);

        Assert.Equal(new UserRoleChanged(Bob, Roles.User, Admin, Now), Given(Registered, moderator).ChangeRole(Roles.User, Admin, Now));
    }

    [Fact]
    public void Granting_the_role_the_account_has_changes_nothing() =>
        Assert.Null(Given(Registered, new UserRoleChanged(Bob, Roles.Admin, Admin, Now)).ChangeRole(Roles.Admin, Admin, Now));

    [Fact]
    public void An_unknown_role_is_invalid_and_the_answer_names_the_roles()
    {
        ThenBroken(DomainError.Invalid, "Role must be one of user, moderator, admin.", () => Given(Registered).ChangeRole("root", Admin, Now));
        Assert.False(Roles.IsKnown(null));
    }

    [Fact]
    public void Roles_rank_user_below_moderator_below_admin()
    {
        Assert.Equal([Roles.User, Roles.Moderator, Roles.Admin], Roles.All);
        Assert.True(Roles.Outranks(Roles.Admin, Roles.Moderator));
        Assert.True(Roles.Outranks(Roles.Moderator, Roles.User));
        Assert.False(Roles.Outranks(Roles.Moderator, Roles.Moderator));
        Assert.False(Roles.Outranks(Roles.User, Roles.Admin));
    }

    [Fact]
    public void An_erased_account_gets_no_role() =>
        ThenBroken(DomainError.NotFound, "User was not found.", () => Given(Registered, new UserErased(Bob, Now)).ChangeRole(Roles.Moderator, Admin, Now));

    [Fact]
    public void An_admin_cannot_change_their_own_role() =>
        ThenBroken(DomainError.Forbidden, "You cannot change your own role; another admin can.",
            () => Given(Registered, new UserRoleChanged(Bob, Roles.Admin, null, Now)).ChangeRole(Roles.User, Bob, Now));

    [Fact]
    public void Erasure_takes_the_role_with_the_account()
    {
        var erased = Given(Registered, new UserRoleChanged(Bob, Roles.Admin, null, Now), new UserErased(Bob, Now));

        Assert.Equal(Roles.User, erased.Role);
        Assert.Null(erased.GrantConfigured(Roles.Admin, Now));
    }

    [Fact]
    public void The_configuration_grants_a_role_to_a_plain_user()
    {
        Assert.Equal(new UserRoleChanged(Bob, Roles.Admin, null, Now), Given(Registered).GrantConfigured(Roles.Admin, Now));
        Assert.Equal(new UserRoleChanged(Bob, Roles.Moderator, null, Now), Given(Registered).GrantConfigured(Roles.Moderator, Now));
    }

    [Fact]
    public void The_configuration_never_lowers_a_role() =>
        Assert.Null(Given(Registered, new UserRoleChanged(Bob, Roles.Admin, Admin, Now)).GrantConfigured(Roles.Moderator, Now));

    [Fact]
    public void The_configuration_grants_nothing_an_account_already_has() =>
        Assert.Null(Given(Registered, new UserRoleChanged(Bob, Roles.Moderator, Admin, Now)).GrantConfigured(Roles.Moderator, Now));
}
