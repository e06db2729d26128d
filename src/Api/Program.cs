using EventChat.Api;
using JasperFx;

// With no arguments this serves EventChat; with a command it runs Marten's tools instead,
// e.g. `dotnet run --project src/Api -- projections rebuild` to rebuild every read model from the events.
return await EventChatHost.Build(args).RunJasperFxCommands(args);
