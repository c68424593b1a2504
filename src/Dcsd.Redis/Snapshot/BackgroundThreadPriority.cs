using System.Runtime.InteropServices;

namespace Dcsd.Redis.Snapshot;

/// <summary>
/// Lowers the scheduling priority of the calling thread (Linux nice, per thread). The backup's parse runs this way so that on
/// a small machine it takes only the CPU that Redis' fork child and the transfer leave over, instead of slowing them down.
/// </summary>
internal static partial class BackgroundThreadPriority
{
    private const int PriorityProcess = 0;
    private const int Nice = 10;

    public static void LowerCurrentThread()
    {
        // Best effort: a failure only means the parse competes at normal priority.
        _ = SetPriority(PriorityProcess, GetThreadId(), Nice);
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);
}
