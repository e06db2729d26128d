using EventChat.Api;
using JasperFx;

// With no arguments (or only options such as --urls) this serves EventChat; with a command it runs Marten's tools
// instead, e.g. `dotnet run --project src/Api -- projections rebuild` to rebuild every read model from the events,
// or EventChat's own `privacy rotate-master-key` (docs/privacy.md) and `rebuild [name ...]` (docs/operations.md).
if (MasterKeyRotationCommand.IsRequested(args))
    return await MasterKeyRotationCommand.Run(EventChatHost.Build(args[2..]));
if (ProjectionRebuildCommand.IsRequested(args))
    return await ProjectionRebuildCommand.Run(EventChatHost.Build([]), [.. args[1..]]);
if (args is [var command, ..] && !command.StartsWith('-'))
    return await EventChatHost.Build(args).RunJasperFxCommands(args);
return await ServeCommand.Run(args);
