using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

/// <summary>
/// Roles belong to accounts, not to names: a configured name grants its role once, to the first account that holds
/// it, and never again; admins grant roles by user id (docs/adr/0011-roles-bound-to-accounts.md).
/// </summary>
[Collection(SecondServerCollection.Name)]
public sealed class AccountRoles
{
    private const string AdminOnly = "/api/admin/projections";

    [Fact]
    public async Task A_configured_admin_name_makes_its_first_account_admin_and_nobody_who_registers_it_after_an_erasure()
    {
        var boss = $"boss-{Guid.NewGuid():N}"[..20];
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?> { ["EventChat:Admins:0"] = boss });
        var first = await server.Register(boss);
        Assert.Equal("admin", RoleOf(first.Token));
        Assert.Equal(HttpStatusCode.OK, (await first.Http.GetAsync(AdminOnly)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await first.Http.DeleteAsync("/api/users/me")).StatusCode);

        var taker = await server.Register(boss);

        Assert.Equal("user", RoleOf(taker.Token));
        Assert.Equal(HttpStatusCode.Forbidden, (await taker.Http.GetAsync(AdminOnly)).StatusCode);
        Assert.Equal("user", RoleOf((await server.LogIn(boss)).Token));
    }

    [Fact]
    public async Task An_existing_account_named_at_start_up_gets_its_role_once_and_an_id_entry_grants_its_account()
    {
        var (boss, mod) = ($"boss-{Guid.NewGuid():N}"[..20], $"mod-{Guid.NewGuid():N}"[..20]);
        var server = await EventChatServer.StartIsolated();
        try
        {
            var existing = await server.Register(boss);
            var carol = await server.Register($"carol-{Guid.NewGuid():N}"[..20]);
            await server.Register(mod);
            Assert.Equal("user", RoleOf(existing.Token));
            Dictionary<string, string?> settings = new()
            {
                ["EventChat:Admins:0"] = boss,
                ["EventChat:Moderators:0"] = carol.Id.ToString(),
                ["EventChat:Moderators:1"] = mod.ToUpperInvariant(),
            };

            server = await server.Restart(settings);

            // Deployments upgraded with their admin already registered keep their admin.
            var admin = await server.LogIn(boss);
            Assert.Equal("admin", RoleOf(admin.Token));
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync(AdminOnly)).StatusCode);
            Assert.Equal("moderator", RoleOf((await server.LogIn(carol.Username)).Token));
            Assert.Equal("moderator", RoleOf((await server.LogIn(mod)).Token));

            // The name is claimed: erased and registered again, it grants nothing, not even after another restart.
            Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync("/api/users/me")).StatusCode);
            Assert.Equal("user", RoleOf((await server.Register(boss)).Token));
            server = await server.Restart(settings);
            var taker = await server.LogIn(boss);
            Assert.Equal("user", RoleOf(taker.Token));
            Assert.Equal(HttpStatusCode.Forbidden, (await taker.Http.GetAsync(AdminOnly)).StatusCode);
        }
        finally
        {
            await server.Stop();
        }
    }

    [Fact]
    public async Task An_admin_grants_and_revokes_a_role_by_user_id_and_the_next_token_carries_it()
    {
        var server = await EventChatServer.Instance;
        var admin = await server.Admin;
        await using var host = await server.NewUser("host");
        await using var bob = await server.NewUser("bob");
        var session = await Started(host);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.Http.PostAsync($"/api/streams/{session}/end", null)).StatusCode);

        var granted = await admin.Http.PutAsJsonAsync($"/api/admin/users/{bob.Id}/role", new { role = "moderator" });

        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var body = await granted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((bob.Id, bob.Username, "moderator"),
            (body.GetProperty("userId").GetGuid(), body.GetProperty("username").GetString(), body.GetProperty("role").GetString()));
        var moderator = await server.LogIn(bob.Username);
        Assert.Equal("moderator", RoleOf(moderator.Token));
        Assert.Equal(HttpStatusCode.OK, (await moderator.Http.PostAsync($"/api/streams/{session}/end", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PutAsJsonAsync($"/api/admin/users/{bob.Id}/role", new { role = "user" })).StatusCode);
        Assert.Equal("user", RoleOf((await server.LogIn(bob.Username)).Token));
    }

    [Fact]
    public async Task Only_admins_grant_roles_and_only_known_roles_to_existing_accounts()
    {
        var server = await EventChatServer.Instance;
        var admin = await server.Admin;
        var moderator = await server.Moderator;
        await using var mallory = await server.NewUser("mallory");
        await using var gone = await server.NewUser("gone");
        Assert.Equal(HttpStatusCode.NoContent, (await gone.Http.DeleteAsync("/api/users/me")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await mallory.Http.PutAsJsonAsync($"/api/admin/users/{mallory.Id}/role", new { role = "admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await moderator.Http.PutAsJsonAsync($"/api/admin/users/{mallory.Id}/role", new { role = "admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PutAsJsonAsync($"/api/admin/users/{mallory.Id}/role", new { role = "root" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PutAsJsonAsync($"/api/admin/users/{mallory.Id}/role", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.PutAsJsonAsync($"/api/admin/users/{Guid.NewGuid()}/role", new { role = "moderator" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.PutAsJsonAsync($"/api/admin/users/{gone.Id}/role", new { role = "moderator" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Http.PutAsJsonAsync($"/api/admin/users/{admin.Id}/role", new { role = "user" })).StatusCode);
        Assert.Equal("user", RoleOf((await server.LogIn(mallory.Username)).Token));
        Assert.Equal("admin", RoleOf((await server.LogIn(admin.Username)).Token));
    }

    private static async Task<Guid> Started(TestUser host)
    {
        var started = await host.Http.PostAsJsonAsync("/api/streams", new { title = "live" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        return (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static string? RoleOf(string token) => TestUser.ClaimsOf(token).GetProperty("role").GetString();
}
