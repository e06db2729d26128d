using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace EventChat.Api.Auth;

/// <summary>How tokens are signed and for how long they live, resolved once at start-up.</summary>
public sealed record JwtSettings(SymmetricSecurityKey Key, TimeSpan Lifetime)
{
    /// <summary>How far a token's times may be off the server's clock (<c>Jwt:ClockSkew</c>, default 30 s); tests use zero.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    public const string Issuer = "eventchat";
    public const string Audience = "eventchat";
    public const int MinKeyBytes = 32;

    /// <summary>
    /// The key comes from <c>Jwt:SigningKey</c>. In Development a missing key is generated once and kept in the
    /// data folder, so tokens survive restarts; anywhere else a missing or short key stops start-up.
    /// </summary>
    public static JwtSettings Resolve(IConfiguration config, IHostEnvironment env)
    {
        var secret = config["Jwt:SigningKey"];
        if (string.IsNullOrWhiteSpace(secret))
            secret = env.IsDevelopment()
                ? DevelopmentKey(config.DataDirectory(env))
                : throw new InvalidOperationException(
                    "Jwt:SigningKey is not set. Set the environment variable Jwt__SigningKey to a random secret of at least " +
                    $"{MinKeyBytes} bytes, e.g. `openssl rand -base64 48`.");
        var bytes = System.Text.Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < MinKeyBytes)
            throw new InvalidOperationException($"Jwt:SigningKey is too short: it needs at least {MinKeyBytes} bytes, it has {bytes.Length}.");
        var lifetime = config.GetValue("Jwt:TokenLifetime", TimeSpan.FromHours(12));
        return new(new SymmetricSecurityKey(bytes), lifetime)
        {
            ClockSkew = config.GetValue("Jwt:ClockSkew", TimeSpan.FromSeconds(30)),
        };
    }

    private static string DevelopmentKey(string dataDirectory) =>
        dataDirectory.DevelopmentSecret("jwt-signing-key", () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
}

public static class ConfigurationExtensions
{
    /// <summary>Where local state lives (development keys); <c>EventChat:DataDirectory</c>, else <c>.eventchat</c> under the content root.</summary>
    public static string DataDirectory(this IConfiguration config, IHostEnvironment env) =>
        config["EventChat:DataDirectory"] ?? Path.Combine(env.ContentRootPath, ".eventchat");

    /// <summary>
    /// A Development-only secret kept in the data folder: generated on first use (readable by this user only) and read
    /// back afterwards, so what it protects survives restarts.
    /// </summary>
    public static string DevelopmentSecret(this string dataDirectory, string fileName, Func<string> generate)
    {
        var path = Path.Combine(dataDirectory, fileName);
        if (File.Exists(path))
            return File.ReadAllText(path).Trim();
        Directory.CreateDirectory(dataDirectory);
        var secret = generate();
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return secret;
    }
}
