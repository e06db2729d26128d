using EventChat.Api.Auth;
using EventChat.Api.Privacy;
using EventChat.Application.Ports;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace EventChat.Api.Hosting;

/// <summary>
/// Who a caller is and what they may do: passwords, the tokens EventChat issues and those of the app's trusted issuers,
/// roles bound to accounts, closed accounts refused, and the limits on logins (docs/operations.md, "Security").
/// </summary>
public static class AccountSetup
{
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration config, IHostEnvironment env)
    {
        services.AddSingleton<IPasswordHasher, AspNetPasswordHasher>();
        var jwt = JwtSettings.Resolve(config, env);
        services.AddSingleton(jwt);
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<ServerApiSecret>();
        services.AddAccountStandings();
        // Roles belong to accounts; the configuration's admins and moderators are granted to them once (docs/operations.md#roles).
        services.AddSingleton(RoleBootstrap.FromConfiguration(config));
        services.AddHostedService<RoleBootstrap>();
        // Login brute-force limits (one node; a shared store can replace it behind the port).
        services.AddSingleton(config.GetSection(LoginLimits.Section).Get<LoginLimits>() ?? new LoginLimits());
        services.AddSingleton<ILoginThrottle, InMemoryLoginThrottle>();
        // Register and login hash a password each: limited per client address and in how many run at once.
        services.AddAuthRateLimits(config);
        services.AddAuthorization();
        services.AddAuthentication(TrustedIssuers.ChoosingScheme)
            .AddJwtBearer(options => Validate(options, jwt))
            // The app's users, with tokens of the app's own issuers (docs/integrations.md).
            .AddTrustedIssuers(TrustedIssuers.FromConfiguration(config), jwt);
        return services;
    }

    /// <summary>EventChat's own tokens: its issuer, audience and key, from the header or (for a hub) the query.</summary>
    private static void Validate(JwtBearerOptions options, JwtSettings jwt)
    {
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = JwtSettings.Issuer,
            ValidAudience = JwtSettings.Audience,
            IssuerSigningKey = jwt.Key,
            NameClaimType = JwtClaims.Name,
            RoleClaimType = JwtClaims.Role,
            ClockSkew = jwt.ClockSkew,
        };
        options.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                context.Token = BearerToken.From(context.Request);
                return Task.CompletedTask;
            },
            OnTokenValidated = async context =>
            {
                // Signed by our key yet naming no user (a key leaked or shared with another issuer): refused here, as 401,
                // instead of failing every endpoint that reads the caller's id.
                if (!context.Principal!.HasUserId(out _))
                    context.Fail("The token's subject is not a user id.");
                else
                    await AccountStandings.RefuseClosed(context);
            },
        };
    }
}
