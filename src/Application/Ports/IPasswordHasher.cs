namespace EventChat.Application.Ports;

/// <summary>One-way password hashing, kept behind a port so the hashing scheme can change without touching use cases.</summary>
public interface IPasswordHasher
{
    string Hash(string password);

    bool Verify(string hash, string password);
}
