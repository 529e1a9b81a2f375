using Databacker.Api.Governance;

return GovernanceCommand.Run(args, Console.Out, Console.Error);
