using BenchDriver;

// Usage: BenchDriver seed|replicate|coldstart|floor|iofloor|inflight --option value ... (bench/run.sh is the caller; see bench/README.md).
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: BenchDriver seed|replicate|coldstart|floor|iofloor|inflight --option value ...");
    return 64;
}

var options = new Options(args.Skip(1));
return args[0] switch
{
    "seed" => await SeedCommand.RunAsync(options),
    "replicate" => await ReplicateCommand.RunAsync(options),
    "coldstart" => await ColdStartCommand.RunAsync(options),
    "floor" => FloorCommand.Run(options),
    "iofloor" => await IoFloorCommand.RunAsync(options),
    "iopeer" => await IoFloorCommand.PeerAsync(options),
    "inflight" => await InFlightCommand.RunAsync(options),
    _ => 64,
};
