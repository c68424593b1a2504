namespace Dcsd.Cli.Client;

/// <summary>What the client commands exit with, for scripts (README "CLI").</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad usage, or no endpoint or credential to use (the same code System.CommandLine gives a parse error).</summary>
    public const int Usage = 1;

    /// <summary>dcsd answered with a DCS error; its code and message are on stderr.</summary>
    public const int DcsError = 2;

    /// <summary>`--wait` followed the job to its end and it failed; the record's error code is on stderr.</summary>
    public const int JobFailed = 3;

    /// <summary>dcsd could not be reached (connection refused, time-out, not HTTP).</summary>
    public const int Unreachable = 4;

    /// <summary>Ctrl-C stopped the waiting; the job itself goes on.</summary>
    public const int Interrupted = 130;
}
