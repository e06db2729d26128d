using System.Security.Cryptography;
using System.Text;

namespace EventChat.Application.Privacy;

/// <summary>
/// The key that wraps (encrypts) every data key, from configuration. It never encrypts content itself, so replacing it
/// re-wraps the data keys and touches no event (docs/privacy.md, "Rotating the master key").
/// </summary>
public sealed class MasterKey
{
    public const string ConfigKey = "EventChat:Privacy:MasterKey";
    public const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] _key;

    /// <param name="setting">Where the key came from, for the message when it is not a key.</param>
    public MasterKey(byte[] key, string setting = ConfigKey)
    {
        if (key.Length != KeyBytes)
            throw new InvalidOperationException($"{setting} must be {KeyBytes} bytes (base64 of {KeyBytes} random bytes), it is {key.Length}.");
        _key = key;
        // A fingerprint that names the key without revealing it: stored with every wrapped key, compared at start-up.
        Id = Convert.ToHexStringLower(HMACSHA256.HashData(key, "EventChat master key id v1"u8)[..8]);
    }

    /// <summary>Names this key; a wrapped data key records the id of the key that wrapped it.</summary>
    public string Id { get; }

    public static MasterKey FromBase64(string value, string setting = ConfigKey)
    {
        try
        {
            return new(Convert.FromBase64String(value.Trim()), setting);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{setting} is not base64. Generate one with `openssl rand -base64 32`.");
        }
    }

    public static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>AES-256-GCM, bound to <paramref name="purpose"/> (the data key's id) so a wrapped key cannot be moved to another row.</summary>
    public string Wrap(ReadOnlySpan<byte> plain, string purpose) => Seal(_key, plain, Encoding.UTF8.GetBytes(purpose));

    /// <exception cref="CryptographicException">The text was not wrapped by this key for this purpose.</exception>
    public byte[] Unwrap(string wrapped, string purpose) => Open(_key, wrapped, Encoding.UTF8.GetBytes(purpose));

    /// <summary>nonce | ciphertext | tag, base64. A fresh random nonce each time: 2^32 seals per key stay far from a collision.</summary>
    internal static string Seal(byte[] key, ReadOnlySpan<byte> plain, ReadOnlySpan<byte> associated)
    {
        var output = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = output.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceBytes, plain.Length), output.AsSpan(NonceBytes + plain.Length), associated);
        return Convert.ToBase64String(output);
    }

    internal static byte[] Open(byte[] key, string sealedText, ReadOnlySpan<byte> associated)
    {
        var input = Convert.FromBase64String(sealedText);
        if (input.Length < NonceBytes + TagBytes)
            throw new CryptographicException("The sealed text is too short.");
        var plain = new byte[input.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(input.AsSpan(0, NonceBytes), input.AsSpan(NonceBytes, plain.Length), input.AsSpan(NonceBytes + plain.Length), plain, associated);
        return plain;
    }
}
