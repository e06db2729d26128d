namespace EventChat.Application.Tests;

/// <summary>Fixed user ids, so a failure names the same users in every run.</summary>
internal static class TestUsers
{
    public static readonly Guid Alice = Guid.Parse("0199a000-0000-7000-8000-00000000000a");
    public static readonly Guid Bob = Guid.Parse("0199a000-0000-7000-8000-00000000000b");
}
