using System.Security.Cryptography;
using EventChat.Application.Privacy;

namespace EventChat.Application.Tests;

/// <summary>What the master-key check accepts and refuses (docs/privacy.md, "The master key", "Rotating the master key").</summary>
public sealed class MasterKeyCheckRules
{
    private static readonly MasterKey Current = MasterKey.FromBase64(MasterKey.Generate());
    private static readonly MasterKey Next = MasterKey.FromBase64(MasterKey.Generate());

    [Fact]
    public void A_check_is_the_one_row_and_names_the_key_it_is_wrapped_under()
    {
        var check = MasterKeyCheck.Under(Current);

        Assert.Equal(MasterKeyCheck.TheOne, check.Id);
        Assert.Equal(Current.Id, check.MasterKeyId);
        check.Verify(Current);
    }

    [Fact]
    public void Another_key_is_refused_naming_both_keys()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => MasterKeyCheck.Under(Current).Verify(Next));

        Assert.Equal(
            $"EventChat:Privacy:MasterKey is the wrong key for this database: its data keys are wrapped by master key {Current.Id}, " +
            $"the configured key is {Next.Id}. Configure the key this database was set up with (or finish a rotation, docs/privacy.md).",
            failure.Message);
    }

    [Fact]
    public void A_rotated_check_verifies_the_new_key_only()
    {
        var rotated = MasterKeyCheck.Under(Current).RewrappedUnder(Current, Next);

        Assert.Equal(Next.Id, rotated.MasterKeyId);
        rotated.Verify(Next);
        Assert.Throws<InvalidOperationException>(() => rotated.Verify(Current));
    }

    [Fact]
    public void Rotating_with_a_key_that_is_not_the_one_in_use_fails()
    {
        var check = MasterKeyCheck.Under(Current);

        Assert.ThrowsAny<CryptographicException>(() => check.RewrappedUnder(Next, MasterKey.FromBase64(MasterKey.Generate())));
    }
}
