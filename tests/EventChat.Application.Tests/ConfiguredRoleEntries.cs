using EventChat.Application.Users;
using EventChat.Domain.Users;
using static EventChat.Application.Tests.TestUsers;

namespace EventChat.Application.Tests;

/// <summary>How the <c>EventChat:Admins</c> and <c>EventChat:Moderators</c> entries are read (docs/operations.md).</summary>
public sealed class ConfiguredRoleEntries
{
    [Fact]
    public void An_entry_is_an_account_id_or_a_username_ignoring_case_and_spaces()
    {
        var roles = ConfiguredRoles.From(admins: [Alice.ToString(), " Carol "], moderators: ["DAVE", Bob.ToString("N")]);

        Assert.Equal(new Dictionary<Guid, string> { [Alice] = Roles.Admin, [Bob] = Roles.Moderator }, roles.ById);
        Assert.Equal(new Dictionary<string, string> { ["carol"] = Roles.Admin, ["dave"] = Roles.Moderator }, roles.ByName);
    }

    [Fact]
    public void An_entry_in_both_lists_is_an_admin()
    {
        var roles = ConfiguredRoles.From(admins: [Alice.ToString(), "carol"], moderators: [Alice.ToString(), "Carol"]);

        Assert.Equal(Roles.Admin, roles.ById[Alice]);
        Assert.Equal(Roles.Admin, roles.ByName["carol"]);
    }

    [Fact]
    public void Blank_entries_name_nobody()
    {
        var roles = ConfiguredRoles.From(admins: ["", "  "], moderators: ["\t"]);

        Assert.Empty(roles.ById);
        Assert.Empty(roles.ByName);
    }
}
