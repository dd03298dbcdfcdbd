// What judging an open costs on this machine, per call: readlink of /proc/self/fd/<n> and /proc/<pid>/fd/<n>,
// stat through the descriptor link, realpath (Path.toRealPath) of a 2- and an 8-component path, stat. Run:
// java benchmarks/probes/DescriptorCosts.java (JDK 17+, Linux, no agent).
import java.nio.file.*; import java.io.*;
public class DescriptorCosts { public static void main(String[] a) throws Exception {
  Path f = Files.createTempFile("r", ".txt");
  FileInputStream in = new FileInputStream(f.toFile());
  String fdn = null; for (int i=3;i<128;i++){ try { if (Files.readSymbolicLink(Path.of("/proc/self/fd/"+i)).equals(f.toRealPath())) {fdn=""+i;break;} } catch(Exception e){} }
  long pid = ProcessHandle.current().pid();
  Path self = Path.of("/proc/self/fd/"+fdn), bypid = Path.of("/proc/"+pid+"/fd/"+fdn), thread = Path.of("/proc/thread-self/fd/"+fdn);
  Path deep = Files.createDirectories(Path.of("/tmp/descriptor-costs/a/b/c/d")).resolve("f.txt"); Files.writeString(deep,"x");
  for (int r=0;r<4;r++){
   int N=100000;
   long t0=System.nanoTime(); for(int i=0;i<N;i++) Files.readSymbolicLink(self); long t1=System.nanoTime();
   for(int i=0;i<N;i++) Files.readSymbolicLink(bypid); long t2=System.nanoTime();
   for(int i=0;i<N;i++) Files.readAttributes(self, "unix:ino"); long t3=System.nanoTime();
   for(int i=0;i<N;i++) f.toRealPath(); long t4=System.nanoTime();
   for(int i=0;i<N;i++) deep.toRealPath(); long t5=System.nanoTime();
   for(int i=0;i<N;i++) Files.readAttributes(deep, "unix:ino"); long t6=System.nanoTime();
   System.out.printf("self %.0f pid %.0f fstat-ish(stat via fd link) %.0f | realpath 2-comp %.0f 8-comp %.0f | stat %.0f ns%n",(t1-t0)/1e5,(t2-t1)/1e5,(t3-t2)/1e5,(t4-t3)/1e5,(t5-t4)/1e5,(t6-t5)/1e5);
  } java.lang.ref.Reference.reachabilityFence(in); }}
