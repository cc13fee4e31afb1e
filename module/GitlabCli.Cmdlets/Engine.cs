// The engine process: `gitlabcli serve`, its pipes, its hello, and the module's end of the
// protocol (write a request, read messages). One per pipeline; every cmdlet goes through here.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;

namespace GitlabCli
{
    /// <summary>The engine stopped working: exited, stopped reading, or wrote something unreadable.</summary>
    public sealed class EngineFailure : Exception
    {
        public EngineFailure(string reason, Exception inner = null) : base(reason, inner) { }
    }

    /// <summary>The engine file lacks its execute bit and this user may not set it.</summary>
    public sealed class EngineNotExecutable : Exception
    {
        public EngineNotExecutable(string path, int errno)
            : base("The GitlabCli engine at '" + path + "' is not executable, and this user may not make it so (errno " + errno.ToString(CultureInfo.InvariantCulture) + "): the package manager dropped its execute bit in an installation owned by someone else.")
        {
            Path = path;
            Fix = "Run once, as the owner of the installation: sudo chmod 755 '" + path.Replace("'", "'\\''") + "'";
        }

        public string Path { get; private set; }

        /// <summary>The command that fixes it.</summary>
        public string Fix { get; private set; }
    }

    /// <summary>The engine speaks a protocol version this module does not.</summary>
    public sealed class EngineVersionMismatch : Exception
    {
        public EngineVersionMismatch(string message) : base(message) { }
    }

    public sealed class Engine : IDisposable
    {
        private static readonly object registryGate = new object();
        private static readonly List<Engine> open = new List<Engine>();
        private static readonly UTF8Encoding utf8 = new UTF8Encoding(false);

        private readonly Process process;
        private readonly StreamWriter input;
        private readonly StreamReader output;
        private readonly Task<string> stderr;
        // Lines the reader thread has read and the pipeline has not taken yet; null marks the end.
        private readonly Queue<string> lines = new Queue<string>();
        private readonly object linesGate = new object();
        private bool outputEnded;
        private string readFailure;
        private long lastId;
        private Hello hello;
        private bool closed;

        /// <summary>Set only by tests, to run the module against another executable.</summary>
        public static string PathOverride { get; set; }

        /// <summary>Engines started and not yet closed (in this process).</summary>
        public static int OpenCount { get { lock (registryGate) { return open.Count; } } }

        /// <summary>Process ids of the engines open now.</summary>
        public static int[] OpenProcessIds
        {
            get
            {
                lock (registryGate)
                {
                    var ids = new List<int>();
                    foreach (var engine in open) { try { ids.Add(engine.process.Id); } catch (InvalidOperationException) { } }
                    return ids.ToArray();
                }
            }
        }

        /// <summary>The .NET runtime identifier of this machine, which names the engine's folder under bin/.</summary>
        public static string RuntimeId
        {
            get
            {
                string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win" : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx" : "linux";
                string arch;
                switch (RuntimeInformation.OSArchitecture)
                {
                    case Architecture.X64: arch = "x64"; break;
                    case Architecture.Arm64: arch = "arm64"; break;
                    default: arch = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(); break;
                }
                return os + "-" + arch;
            }
        }

        /// <summary>Where the module looks for its engine: bin/&lt;rid&gt;/gitlabcli beside the assembly.</summary>
        public static string DefaultPath
        {
            get
            {
                string root = Path.GetDirectoryName(typeof(Engine).Assembly.Location);
                string name = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "gitlabcli.exe" : "gitlabcli";
                return Path.Combine(root, "bin", RuntimeId, name);
            }
        }

        public static string CurrentPath => string.IsNullOrEmpty(PathOverride) ? DefaultPath : PathOverride;

        /// <summary>The runtimes this copy of the module carries an engine for: the folders under bin/ that hold one.</summary>
        public static string[] PackagedRuntimes
        {
            get
            {
                string bin = Path.Combine(Path.GetDirectoryName(typeof(Engine).Assembly.Location), "bin");
                var found = new List<string>();
                if (Directory.Exists(bin))
                {
                    foreach (string folder in Directory.GetDirectories(bin))
                    {
                        if (File.Exists(Path.Combine(folder, "gitlabcli")) || File.Exists(Path.Combine(folder, "gitlabcli.exe")))
                        {
                            found.Add(Path.GetFileName(folder));
                        }
                    }
                }
                found.Sort(StringComparer.Ordinal);
                return found.ToArray();
            }
        }

        /// <summary>What is wrong when there is no engine at <paramref name="path"/>: for the module's own
        /// place, the runtime it looked for and the runtimes this copy of the module holds.</summary>
        private static string NotFoundMessage(string path)
        {
            if (!string.IsNullOrEmpty(PathOverride))
            {
                return "The GitlabCli engine was not found at '" + path + "'.";
            }
            string[] held = PackagedRuntimes;
            string holds = held.Length == 0
                ? "it holds no engine at all"
                : "it holds engines for " + string.Join(", ", held) + " only";
            return "This copy of GitlabCli has no engine for " + RuntimeId + " (looked for '" + path + "'); " + holds + ".";
        }

        /// <summary>How to get an engine for this machine, for EngineNotFound's recommended action.</summary>
        public static string NotFoundFix
        {
            get
            {
                return PackagedRuntimes.Length == 0
                    ? "Install a GitlabCli package built for " + RuntimeId + ", or build the engine from source with ./build.ps1, which stages it in bin/" + RuntimeId + "/."
                    : "Install the GitlabCli package built for " + RuntimeId + " (see docs/RELEASING.md for the runtimes released), or build from source with ./build.ps1.";
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int access(string path, int mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, uint mode);

        /// <summary>
        /// Package managers working from NuGet packages (Install-PSResource, Install-Module) drop the
        /// execute bit. Restores it (0755) where this user may; throws EngineNotExecutable, naming
        /// the command that fixes it, where not (an all-users install owned by another user).
        /// </summary>
        private static void EnsureExecutable(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) { return; }
            const int executable = 1; // X_OK
            if (access(path, executable) == 0) { return; }
            if (chmod(path, Convert.ToUInt32("755", 8)) == 0 && access(path, executable) == 0) { return; }
            int errno = Marshal.GetLastWin32Error();
            throw new EngineNotExecutable(path, errno);
        }

        public string ExecutablePath { get; private set; }

        /// <summary>Why the channel stopped working, or null.</summary>
        public string Failure { get; private set; }

        public int ProcessId => process.Id;

        private Engine(string path, Process process)
        {
            ExecutablePath = path;
            this.process = process;
            input = new StreamWriter(process.StandardInput.BaseStream, utf8) { AutoFlush = false, NewLine = "\n" };
            output = new StreamReader(process.StandardOutput.BaseStream, utf8, false);
            // Drained in the background so a chatty stderr can never block the engine.
            stderr = process.StandardError.ReadToEndAsync();
            // One thread reads stdout with plain blocking reads and hands lines over under a lock:
            // no thread-pool hop and no spinning wait per line, which on a small machine cost more
            // CPU than the rest of a record's work.
            var reader = new System.Threading.Thread(ReadLines) { IsBackground = true, Name = "GitlabCli engine reader" };
            reader.Start();
        }

        private void ReadLines()
        {
            string failure = null;
            try
            {
                string line;
                while ((line = output.ReadLine()) != null)
                {
                    lock (linesGate)
                    {
                        lines.Enqueue(line);
                        System.Threading.Monitor.Pulse(linesGate);
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is ObjectDisposedException || e is InvalidOperationException)
            {
                failure = "could not be read from (" + e.Message + ").";
            }
            lock (linesGate)
            {
                readFailure = failure;
                outputEnded = true;
                System.Threading.Monitor.Pulse(linesGate);
            }
        }

        /// <summary>
        /// Starts `gitlabcli serve`. Throws FileNotFoundException when the executable is missing and
        /// EngineFailure when it cannot be started. Does not wait for the hello: it is read with the
        /// first answer, so starting costs no round trip.
        /// </summary>
        public static Engine Start()
        {
            string path = CurrentPath;
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(NotFoundMessage(path), path);
            }
            EnsureExecutable(path);
            var info = new ProcessStartInfo(path, "serve")
            {
                UseShellExecute = false,
                CreateNoWindow = true,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardErrorEncoding = utf8,
            };
            Process process;
            try
            {
                process = Process.Start(info);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException || e is IOException)
            {
                throw new EngineFailure("could not be started: " + e.Message, e);
            }
            var engine = new Engine(path, process);
            lock (registryGate) { open.Add(engine); }
            return engine;
        }

        /// <summary>The hello, read now if it was not yet (waits for the engine's first line).</summary>
        public Hello Hello
        {
            get
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (hello == null)
                {
                    ReadHello(250);
                    if (Failure != null) { throw new EngineFailure(Failure); }
                    if (DateTime.UtcNow > deadline) { throw new EngineFailure("said nothing within 30 seconds of starting (no hello)."); }
                }
                return hello;
            }
        }

        /// <summary>Reads the hello line if it arrives within the wait; true once it has been read.</summary>
        private bool ReadHello(int waitMilliseconds)
        {
            if (hello != null) { return true; }
            if (Failure != null) { return false; }
            string line;
            if (!TryReadLine(waitMilliseconds, out line)) { return false; }
            if (line == null)
            {
                Failure = "exited before it said hello (its first line).";
                return false;
            }
            EngineMessage message;
            try
            {
                message = EngineMessage.Parse(line);
            }
            catch (FormatException e)
            {
                Failure = e.Message;
                return false;
            }
            if (message == null || message.Type != "hello")
            {
                Failure = "did not start with its hello message (it wrote a '" + (message == null ? "blank" : message.Type) + "' line first); it is not an engine of protocol version " + ProtocolVersion.Current + ".";
                return false;
            }
            var said = Hello.From(message.Root.TryGetProperty("hello", out var body) ? body : default(System.Text.Json.JsonElement));
            long v = Json.Whole(message.Root, "v") ?? 0;
            if (said.ProtocolVersion != ProtocolVersion.Current || v != ProtocolVersion.Current)
            {
                int spoken = said.ProtocolVersion != 0 ? said.ProtocolVersion : (int)Math.Max(0, Math.Min(int.MaxValue, v));
                string text = "The GitlabCli engine at '" + ExecutablePath + "' (version " + said.EngineVersion + ") speaks protocol version " + spoken
                    + ", but this GitlabCli module (version " + ModuleInfo.Version + ") speaks protocol version " + ProtocolVersion.Current
                    + ". Install the module and its engine together: run ./build.ps1 at the root of the GitlabCli repository, then import the module again.";
                Failure = text;
                throw new EngineVersionMismatch(text);
            }
            hello = said;
            EngineFacts.Remember(said);
            return true;
        }

        /// <summary>The next line within the wait (false: none yet); true with null when the output ended.</summary>
        private bool TryReadLine(int waitMilliseconds, out string line)
        {
            line = null;
            lock (linesGate)
            {
                int deadline = Environment.TickCount + Math.Max(0, waitMilliseconds);
                while (lines.Count == 0 && !outputEnded)
                {
                    int left = deadline - Environment.TickCount;
                    if (left <= 0 || !System.Threading.Monitor.Wait(linesGate, left)) { break; }
                }
                if (lines.Count > 0)
                {
                    line = lines.Dequeue();
                    return true;
                }
                if (!outputEnded) { return false; }
                if (readFailure != null && Failure == null) { Failure = readFailure; }
                return true;
            }
        }

        /// <summary>Writes a request with the next id and returns the id; null (Failure set) when the engine takes no more.</summary>
        public string Send(string mode, string command, string paramsJson)
        {
            return Send(mode, command, paramsJson, true);
        }

        /// <summary>Flushes requests written with flush: false.</summary>
        public bool Flush()
        {
            if (Failure != null || closed) { return false; }
            try
            {
                input.Flush();
                return true;
            }
            catch (Exception e) when (e is IOException || e is ObjectDisposedException)
            {
                Failure = "stopped reading requests (" + e.Message + ").";
                return false;
            }
        }

        /// <summary>As <see cref="Send(string, string, string)"/>; without <paramref name="flush"/> the line waits for <see cref="Flush"/>.</summary>
        public string Send(string mode, string command, string paramsJson, bool flush)
        {
            if (Failure != null || closed) { Failure = Failure ?? "was already closed."; return null; }
            lastId++;
            string id = lastId.ToString(CultureInfo.InvariantCulture);
            try
            {
                input.Write(RequestLine.Build(id, mode, command, paramsJson));
                input.Write('\n');
                if (flush) { input.Flush(); }
            }
            catch (Exception e) when (e is IOException || e is ObjectDisposedException)
            {
                Failure = "stopped reading requests (" + e.Message + ").";
                return null;
            }
            return id;
        }

        /// <summary>
        /// Messages of request <paramref name="id"/> that arrived within the wait: up to and including
        /// its terminal message. Verbose and debug messages are dropped unless asked for. When the
        /// engine closed its output or wrote something unreadable, what came before is returned and
        /// Failure says what happened.
        /// </summary>
        public List<EngineMessage> Read(string id, int waitMilliseconds, bool verbose, bool debug)
        {
            var messages = new List<EngineMessage>();
            if (!ReadHello(waitMilliseconds)) { return messages; }
            while (true)
            {
                string line;
                if (!TryReadLine(messages.Count == 0 ? waitMilliseconds : 0, out line)) { return messages; }
                if (line == null)
                {
                    Failure = Failure ?? "exited before answering.";
                    return messages;
                }
                EngineMessage message;
                try
                {
                    message = EngineMessage.Parse(line);
                }
                catch (FormatException e)
                {
                    Failure = e.Message;
                    return messages;
                }
                if (message == null) { continue; }
                if (message.Id != null && message.Id != id)
                {
                    Failure = "answered another request than the one waiting.";
                    return messages;
                }
                if ((message.Type == "verbose" && !verbose) || (message.Type == "debug" && !debug)) { continue; }
                messages.Add(message);
                if (message.IsTerminal) { return messages; }
            }
        }

        /// <summary>The engine's stderr once it has exited (it writes there only when it crashes), at most 4000 characters.</summary>
        public string Stderr()
        {
            try
            {
                if (!process.HasExited && !process.WaitForExit(2000)) { Kill(); }
                if (stderr.Wait(2000))
                {
                    string text = stderr.Result.Trim();
                    return text.Length > 4000 ? "…" + text.Substring(text.Length - 4000) : text;
                }
            }
            catch (Exception e) when (e is InvalidOperationException || e is AggregateException || e is System.ComponentModel.Win32Exception)
            {
                return "";
            }
            return "";
        }

        public int? ExitCode
        {
            get
            {
                try { return process.HasExited ? (int?)process.ExitCode : null; }
                catch (InvalidOperationException) { return null; }
            }
        }

        private void Kill()
        {
            // Only the engine itself: a clipboard holder it detached must survive.
            try { process.Kill(); } catch (Exception e) when (e is InvalidOperationException || e is System.ComponentModel.Win32Exception) { }
            try { process.WaitForExit(2000); } catch (InvalidOperationException) { }
        }

        /// <summary>
        /// Closes stdin so the engine finishes and exits, killing it after the timeout (0: kill now).
        /// Safe to call more than once.
        /// </summary>
        public void Close(int timeoutMilliseconds)
        {
            lock (registryGate)
            {
                if (closed) { return; }
                closed = true;
                open.Remove(this);
            }
            try
            {
                try { input.Dispose(); } catch (Exception e) when (e is IOException || e is ObjectDisposedException) { }
                bool exited = false;
                try { exited = timeoutMilliseconds > 0 && process.WaitForExit(timeoutMilliseconds); } catch (InvalidOperationException) { exited = true; }
                if (!exited) { Kill(); }
            }
            finally
            {
                process.Dispose();
            }
        }

        public void Dispose()
        {
            Close(2000);
        }
    }

    /// <summary>Facts about this assembly.</summary>
    public static class ModuleInfo
    {
        public static string Version
        {
            get
            {
                var version = typeof(ModuleInfo).Assembly.GetName().Version;
                return version.Major + "." + version.Minor + "." + version.Build;
            }
        }
    }
}
