using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using EventChat.Api.Privacy;
using EventChat.Application.Users;
using EventChat.Domain.Users;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EventChat.Api.Auth;

/// <summary>
/// An issuer of the app's own tokens that EventChat accepts for the app's users (<c>Auth:Issuers</c>, docs/integrations.md).
/// Its keys come from exactly one of <see cref="JwksUrl"/>, <see cref="PublicKeyPem"/> or <see cref="SharedSecret"/>.
/// </summary>
public sealed class TrustedIssuer
{
    public string Issuer { get; set; } = "";
    public string Audience { get; set; } = "";

    /// <summary>The issuer's JSON Web Key Set; keys are picked by the token's <c>kid</c>, and a new <c>kid</c> fetches the set again.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>An RSA or EC public key in PEM (<c>-----BEGIN PUBLIC KEY-----</c>), for RS*, PS* and ES* tokens.</summary>
    public string? PublicKeyPem { get; set; }

    /// <summary>The simple option: HS256 (or HS384/HS512) with a secret of at least 32 bytes shared with the app's backend.</summary>
    public string? SharedSecret { get; set; }

    /// <summary>Refuse a JWKS URL that is not https (tests and local set-ups turn it off).</summary>
    public bool RequireHttps { get; set; } = true;

    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The least time between two fetches of the key set, however many unknown <c>kid</c>s arrive.</summary>
    public TimeSpan JwksMinimumRefresh { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Accepting the tokens of the app's issuers beside EventChat's own. Each trusted issuer gets a JWT bearer scheme of its
/// own; the default scheme reads a token's <c>iss</c> (unvalidated, only to choose) and hands it to that issuer's scheme,
/// or to EventChat's own, which refuses every issuer but itself. The subject of an app's token is the app's user id: the
/// first time EventChat sees it, it provisions the user (<see cref="UpsertAppUser"/>). REST and the hub take both kinds alike.
/// </summary>
public static class TrustedIssuers
{
    public const string Section = "Auth:Issuers";

    /// <summary>The default scheme: it only chooses which scheme validates the token.</summary>
    public const string ChoosingScheme = "EventChat";

    private static readonly TimeSpan JwksTimeout = TimeSpan.FromSeconds(10);

    private static readonly string[] SharedSecretAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512];

    private static readonly string[] PublicKeyAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public static IReadOnlyList<TrustedIssuer> FromConfiguration(IConfiguration config)
    {
        var issuers = config.GetSection(Section).Get<TrustedIssuer[]>() ?? [];
        foreach (var (issuer, i) in issuers.Select((issuer, i) => (issuer, i)))
            Check(issuer, $"{Section}:{i}");
        return issuers;
    }

    /// <summary>EventChat's own scheme, one scheme per trusted issuer, and the scheme that chooses between them.</summary>
    public static AuthenticationBuilder AddTrustedIssuers(this AuthenticationBuilder auth, IReadOnlyList<TrustedIssuer> issuers, JwtSettings jwt)
    {
        var schemeOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (issuer, i) in issuers.Select((issuer, i) => (issuer, i)))
        {
            var scheme = $"issuer-{i}";
            schemeOf[issuer.Issuer] = scheme;
            auth.AddJwtBearer(scheme, options => Configure(options, issuer, jwt));
        }
        return auth.AddPolicyScheme(ChoosingScheme, "EventChat's own or a trusted issuer's token", options =>
            options.ForwardDefaultSelector = http => SchemeFor(BearerToken.From(http.Request), schemeOf));
    }

    private static string SchemeFor(string? token, Dictionary<string, string> schemeOf)
    {
        if (schemeOf.Count == 0 || token is null)
            return JwtBearerDefaults.AuthenticationScheme;
        try
        {
            return schemeOf.GetValueOrDefault(new JsonWebToken(token).Issuer, JwtBearerDefaults.AuthenticationScheme);
        }
        catch (ArgumentException)
        {
            // Not a JWT at all: EventChat's own scheme refuses it as it always has.
            return JwtBearerDefaults.AuthenticationScheme;
        }
    }

    private static void Configure(JwtBearerOptions options, TrustedIssuer issuer, JwtSettings jwt)
    {
        options.MapInboundClaims = false;
        options.SaveToken = false;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer,
            ValidAudience = issuer.Audience,
            ValidAlgorithms = issuer.SharedSecret is null ? PublicKeyAlgorithms : SharedSecretAlgorithms,
            ClockSkew = jwt.ClockSkew,
        };
        JwksKeys? jwks = null;
        if (issuer.JwksUrl is not null)
            parameters.IssuerSigningKeyResolver = (_, _, kid, _) => jwks!.For(kid);
        else
            parameters.IssuerSigningKey = issuer.SharedSecret is { } secret ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)) : PublicKey(issuer.PublicKeyPem!);
        options.TokenValidationParameters = parameters;
        options.Events = new JwtBearerEvents
        {
            OnMessageReceived = async context =>
            {
                context.Token = BearerToken.From(context.Request);
                if (issuer.JwksUrl is null || context.Token is null)
                    return;
                var services = context.HttpContext.RequestServices;
                // One key set per issuer for the server's lifetime; built on first use, when the services exist.
                var keys = LazyInitializer.EnsureInitialized(ref jwks, () => new JwksKeys(issuer, new HttpClient { Timeout = JwksTimeout },
                    services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILoggerFactory>().CreateLogger<JwksKeys>()));
                await keys.Refresh(KeyIdOf(context.Token), context.HttpContext.RequestAborted);
            },
            OnTokenValidated = AdmitAppUser,
        };
    }

    private static string? KeyIdOf(string token)
    {
        try
        {
            return new JsonWebToken(token).Kid;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The token is the app's word that its subject is its user: provision them on first sight, refuse them if erased or
    /// deactivated, and give the request EventChat's principal for them. The role is the account's, never a claim of the
    /// app's token, so an issuer cannot make anyone an EventChat admin.
    /// </summary>
    private static async Task AdmitAppUser(TokenValidatedContext context)
    {
        var claims = context.Principal!;
        if (claims.FindFirstValue(JwtClaims.Subject) is not { } externalId || !IsAppUserId(externalId))
        {
            context.Fail("The token's subject is not a user id EventChat can take.");
            return;
        }
        var services = context.HttpContext.RequestServices;
        var standings = services.GetRequiredService<AccountStandings>();
        var userId = AppUser.IdOf(externalId);
        var standing = await standings.Of(userId, context.HttpContext.RequestAborted);
        if (!standing.Exists)
        {
            var provisioned = await services.GetRequiredService<IMediator>().Send(
                new UpsertAppUser(externalId, ShownName(claims), Avatar(claims), null, KeepExisting: true), context.HttpContext.RequestAborted);
            standings.Forget(userId);
            standing = new(true, provisioned.User.Role, provisioned.User.Active ? null : AccountStanding.Deactivated);
        }
        if (standing.Refusal is { } refusal)
        {
            context.Fail(refusal);
            return;
        }
        context.Principal = ClaimsPrincipalExtensions.For(userId, externalId, standing.Role, claims.FindFirstValue(JwtClaims.Expires), context.Scheme.Name);
    }

    private static bool IsAppUserId(string id) =>
        id.Length is > 0 and <= AppUser.MaxExternalIdLength && id.All(c => !char.IsControl(c) && c != '/');

    // Claims are the issuer's to fill; what does not fit EventChat's limits is left out rather than refusing the user.
    private static string? ShownName(ClaimsPrincipal claims) =>
        (claims.FindFirstValue("name") ?? claims.FindFirstValue("preferred_username")) is { Length: > 0 and <= UserAccount.MaxDisplayNameLength } name
            && Application.Pipeline.StorableText.IsStorable(name) ? name : null;

    private static string? Avatar(ClaimsPrincipal claims) =>
        claims.FindFirstValue("picture") is { Length: <= AppUser.MaxAvatarUrlLength } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && uri.Scheme is "https" or "http" ? url : null;

    private static void Check(TrustedIssuer issuer, string at)
    {
        static InvalidOperationException Wrong(string at, string what) => new($"{at}: {what} (docs/integrations.md#trusted-issuers).");
        if (string.IsNullOrWhiteSpace(issuer.Issuer) || string.IsNullOrWhiteSpace(issuer.Audience))
            throw Wrong(at, "Issuer and Audience are both required");
        if (issuer.Issuer == JwtSettings.Issuer)
            throw Wrong(at, $"the issuer \"{JwtSettings.Issuer}\" is EventChat's own");
        if (new[] { issuer.JwksUrl, issuer.PublicKeyPem, issuer.SharedSecret }.Count(source => !string.IsNullOrWhiteSpace(source)) != 1)
            throw Wrong(at, "give exactly one of JwksUrl, PublicKeyPem and SharedSecret");
        if (issuer.JwksUrl is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == "https" || (uri.Scheme == "http" && !issuer.RequireHttps))))
            throw Wrong(at, "JwksUrl must be an absolute https URL (http only with RequireHttps set to false)");
        if (issuer.SharedSecret is { } secret && Encoding.UTF8.GetByteCount(secret) < JwtSettings.MinKeyBytes)
            throw Wrong(at, $"SharedSecret needs at least {JwtSettings.MinKeyBytes} bytes");
        if (issuer.PublicKeyPem is { } pem)
            PublicKey(pem);
    }

    private static SecurityKey PublicKey(string pem)
    {
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
    }
}
