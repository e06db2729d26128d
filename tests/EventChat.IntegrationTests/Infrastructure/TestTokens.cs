using EventChat.Api.Auth;
using EventChat.Application.Users;
using EventChat.Domain.Users;
using Microsoft.Extensions.DependencyInjection;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>Tokens from the app's own issuer and key, with a lifetime and a clock of the test's choosing.</summary>
public static class TestTokens
{
    /// <param name="clock">The issuer's clock: shifted into the past, it issues a token that has already expired.</param>
    public static string Issue(EventChatServer server, TestUser user, TimeSpan lifetime, TimeProvider? clock = null)
    {
        var settings = server.App.Services.GetRequiredService<JwtSettings>() with { Lifetime = lifetime };
        return new TokenIssuer(settings, clock ?? TimeProvider.System).Issue(new Authenticated(user.Id, user.Username, Roles.User)).Token;
    }
}

/// <summary>The system clock, moved by <paramref name="shift"/>.</summary>
public sealed class ShiftedClock(TimeSpan shift) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
}
