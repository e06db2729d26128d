using EventChat.Application.Pipeline;
using EventChat.Domain;
using EventChat.Domain.Users;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Users;

/// <summary>
/// The app brings its user, or states their profile again (docs/integrations.md). Its backend replaces the profile through
/// the server API; a token of a trusted issuer, or a token minted for a user not seen before, only provisions
/// (<see cref="KeepExisting"/>), so an old token's claims never overwrite what the backend said since.
/// </summary>
public sealed record UpsertAppUser(
    string? ExternalId,
    string? DisplayName,
    string? AvatarUrl,
    IReadOnlyDictionary<string, string>? CustomData,
    bool KeepExisting = false) : ICommand<AppUserUpserted>;

/// <summary>The user as the app sees them, and whether this call created them.</summary>
public sealed record AppUserUpserted(AppUserProfile User, bool Created);

/// <summary>What the server API says of an app's user.</summary>
public sealed record AppUserProfile(
    Guid UserId,
    string ExternalId,
    string DisplayName,
    string? AvatarUrl,
    IReadOnlyDictionary<string, string>? CustomData,
    string Role,
    bool Active,
    DateTimeOffset CreatedAt)
{
    public static AppUserProfile Of(UserAccount account) => new(account.Id, account.ExternalId ?? account.Username, account.DisplayName,
        account.AvatarUrl, account.CustomData, account.Role, account.DeactivatedAt is null, account.RegisteredAt);
}

public sealed class UpsertAppUserValidator : AbstractValidator<UpsertAppUser>
{
    public UpsertAppUserValidator()
    {
        RuleFor(c => c.ExternalId).NotEmpty().MaximumLength(AppUser.MaxExternalIdLength)
            // '/' would split the server API's paths (/api/server/users/{externalId}).
            .Must(id => id!.All(c => !char.IsControl(c) && c != '/')).WithMessage("'externalId' must not contain '/' or control characters.");
        RuleFor(c => c.DisplayName).MaximumLength(UserAccount.MaxDisplayNameLength);
        RuleFor(c => c.AvatarUrl).MaximumLength(AppUser.MaxAvatarUrlLength)
            .Must(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
            .When(c => !string.IsNullOrWhiteSpace(c.AvatarUrl)).WithMessage("'avatarUrl' must be an absolute http or https URL.");
        RuleFor(c => c.CustomData).Must(data => data!.Count <= AppUser.MaxCustomDataEntries)
            .WithMessage($"'customData' may hold at most {AppUser.MaxCustomDataEntries} entries.")
            .Must(data => data!.All(e => e.Key.Length is > 0 and <= AppUser.MaxCustomDataKeyLength && e.Value is not null
                && e.Value.Length <= AppUser.MaxCustomDataValueLength && StorableText.IsStorable(e.Key) && StorableText.IsStorable(e.Value)))
            .WithMessage($"Each 'customData' key must be 1-{AppUser.MaxCustomDataKeyLength} characters and each value a string of at most " +
                $"{AppUser.MaxCustomDataValueLength}; neither may contain U+0000 or an unpaired surrogate.")
            .When(c => c.CustomData is not null);
    }
}

public sealed class UpsertAppUserHandler(IDocumentStore store, TimeProvider clock, ILogger<UpsertAppUserHandler> log)
    : ICommandHandler<UpsertAppUser, AppUserUpserted>
{
    public async ValueTask<AppUserUpserted> Handle(UpsertAppUser command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var externalId = command.ExternalId!;
        // Two nodes provisioning one user at once append to the same stream: the loser's conflict is retried
        // (RetryOnConflictBehavior) and finds the winner's account.
        var stream = await session.Events.FetchForWriting<UserAccount>(AppUser.IdOf(externalId), ct);
        var now = clock.GetUtcNow();
        if (stream.Aggregate is not { } account)
        {
            var provisioned = UserAccount.Provision(externalId, command.DisplayName, command.AvatarUrl, command.CustomData, now);
            stream.AppendOne(provisioned);
            await session.SaveChangesAsync(ct);
            log.LogInformation("app user {UserId} provisioned", provisioned.UserId);
            return new(AppUserProfile.Of(UserAccount.Create(provisioned)), Created: true);
        }
        if (command.KeepExisting)
            return account.ErasedAt is null ? new(AppUserProfile.Of(account), Created: false) : throw DomainException.NotFound("User");
        if (account.ChangeProfile(command.DisplayName, command.AvatarUrl, command.CustomData, now) is { } changed)
        {
            stream.AppendOne(changed);
            await session.SaveChangesAsync(ct);
            account = account.Apply(changed);
        }
        return new(AppUserProfile.Of(account), Created: false);
    }
}
