/*
 * The phones of the RTP relay benchmark, in C so that generating and counting packets costs far
 * less than relaying them and the relay, not the generator, is what runs out of CPU. Both ends of
 * many simulated G.711 calls: 172-byte RTP packets (12-byte header, 160 bytes = 20 ms of G.711)
 * sent with sendmmsg at a controlled rate, and every packet the relay forwards counted on its way
 * back with recvmmsg. Loopback only.
 *
 * Line protocol on stdin/stdout (see messages.ts):
 *   -> ready <caller ports...> | <callee ports...>
 *   <- calls N, then N lines "<caller-leg relay port> <callee-leg relay port>"   -> calls-set
 *   <- run <step> <packets per second> <duration ms>
 *   -> sent         (when sending stops; then the phones wait for stragglers)
 *   -> result <sent> <received> <seconds> <drain ms> <cpu share>
 *   <- stop
 * The first payload byte of each packet carries the step number, so late packets of an earlier
 * step are not counted in a later one.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SOCKETS_PER_SIDE 16
#define BATCH 64
#define PACKET_BYTES 172
#define BUFFER_BYTES (4 * 1024 * 1024)
#define QUIET_SECONDS 0.25
#define MAX_DRAIN_SECONDS 3.0

static int sockets[2][SOCKETS_PER_SIDE];
static int call_count;
static uint16_t (*relay_ports)[2];
static uint16_t *sequence;
static unsigned char step;
static long received;

struct outbox {
  int count;
  struct mmsghdr headers[BATCH];
  struct iovec vectors[BATCH];
  struct sockaddr_in destinations[BATCH];
  unsigned char packets[BATCH][PACKET_BYTES];
};
static struct outbox outboxes[2][SOCKETS_PER_SIDE];

static double seconds_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static int open_socket(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int size = BUFFER_BYTES;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = 0};
  inet_pton(AF_INET, "127.0.0.1", &local.sin_addr);
  if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
    perror("phones: socket");
    exit(1);
  }
  return fd;
}

static int local_port(int fd) {
  struct sockaddr_in local;
  socklen_t length = sizeof local;
  getsockname(fd, (struct sockaddr *)&local, &length);
  return ntohs(local.sin_port);
}

static void flush(int side, int index) {
  struct outbox *box = &outboxes[side][index];
  int done = 0;
  while (done < box->count) {
    int sent = sendmmsg(sockets[side][index], box->headers + done, box->count - done, 0);
    if (sent < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      perror("phones: sendmmsg");
      exit(1);
    }
    done += sent;
  }
  box->count = 0;
}

static void queue_packet(int stream) {
  int call = stream >> 1, side = stream & 1, index = call % SOCKETS_PER_SIDE;
  struct outbox *box = &outboxes[side][index];
  int slot = box->count++;
  unsigned char *packet = box->packets[slot];
  uint16_t seq = sequence[stream]++;
  uint32_t timestamp = htonl((uint32_t)seq * 160u), ssrc = htonl((uint32_t)stream + 1u);
  uint16_t seq_be = htons(seq);
  memset(packet, 0xd5, PACKET_BYTES);
  packet[0] = 0x80;
  packet[1] = 8;
  memcpy(packet + 2, &seq_be, 2);
  memcpy(packet + 4, &timestamp, 4);
  memcpy(packet + 8, &ssrc, 4);
  packet[12] = step;
  struct sockaddr_in *to = &box->destinations[slot];
  memset(to, 0, sizeof *to);
  to->sin_family = AF_INET;
  to->sin_port = htons(relay_ports[call][side]);
  to->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  box->vectors[slot] = (struct iovec){.iov_base = packet, .iov_len = PACKET_BYTES};
  memset(&box->headers[slot], 0, sizeof box->headers[slot]);
  box->headers[slot].msg_hdr.msg_name = to;
  box->headers[slot].msg_hdr.msg_namelen = sizeof *to;
  box->headers[slot].msg_hdr.msg_iov = &box->vectors[slot];
  box->headers[slot].msg_hdr.msg_iovlen = 1;
  if (box->count == BATCH) flush(side, index);
}

static void read_all(void) {
  static unsigned char buffers[BATCH][2048];
  static struct iovec vectors[BATCH];
  static struct mmsghdr headers[BATCH];
  for (int side = 0; side < 2; side++) {
    for (int index = 0; index < SOCKETS_PER_SIDE; index++) {
      for (;;) {
        for (int i = 0; i < BATCH; i++) {
          vectors[i] = (struct iovec){.iov_base = buffers[i], .iov_len = sizeof buffers[i]};
          memset(&headers[i], 0, sizeof headers[i]);
          headers[i].msg_hdr.msg_iov = &vectors[i];
          headers[i].msg_hdr.msg_iovlen = 1;
        }
        int count = recvmmsg(sockets[side][index], headers, BATCH, MSG_DONTWAIT, NULL);
        if (count <= 0) break;
        for (int i = 0; i < count; i++) {
          if (headers[i].msg_len > 12 && buffers[i][12] == step) received++;
        }
      }
    }
  }
}

static void sleep_until(double when) {
  double left = when - seconds_now();
  if (left <= 0) return;
  struct timespec pause = {.tv_sec = (time_t)left, .tv_nsec = (long)((left - (time_t)left) * 1e9)};
  nanosleep(&pause, NULL);
}

static void run(int step_tag, double packets_per_second, double duration_ms) {
  step = (unsigned char)step_tag;
  received = 0;
  long sent = 0, total = (long)(packets_per_second * duration_ms / 1000.0);
  int streams = call_count * 2, next = 0;
  double cpu_before = cpu_seconds(), start = seconds_now(), tick = start;
  while (sent < total) {
    double elapsed = seconds_now() - start;
    long due = (long)(elapsed * packets_per_second);
    if (due > total) due = total;
    for (; sent < due; sent++) {
      queue_packet(next);
      next = next + 1 == streams ? 0 : next + 1;
    }
    for (int side = 0; side < 2; side++)
      for (int index = 0; index < SOCKETS_PER_SIDE; index++) flush(side, index);
    read_all();
    tick += 0.001;
    sleep_until(tick);
  }
  double seconds = seconds_now() - start;
  double cpu_share = (cpu_seconds() - cpu_before) / seconds;
  printf("sent\n");
  fflush(stdout);
  double drain_start = seconds_now(), quiet_since = drain_start;
  long last = received;
  while (seconds_now() - drain_start < MAX_DRAIN_SECONDS) {
    sleep_until(seconds_now() + 0.01);
    read_all();
    if (received != last) {
      last = received;
      quiet_since = seconds_now();
    } else if (seconds_now() - quiet_since >= QUIET_SECONDS) {
      break;
    }
  }
  printf("result %ld %ld %.6f %.0f %.4f\n", sent, received, seconds, (seconds_now() - drain_start) * 1000, cpu_share);
  fflush(stdout);
}

int main(void) {
  for (int side = 0; side < 2; side++)
    for (int index = 0; index < SOCKETS_PER_SIDE; index++) sockets[side][index] = open_socket();
  printf("ready");
  for (int side = 0; side < 2; side++) {
    if (side == 1) printf(" |");
    for (int index = 0; index < SOCKETS_PER_SIDE; index++) printf(" %d", local_port(sockets[side][index]));
  }
  printf("\n");
  fflush(stdout);

  char line[256];
  while (fgets(line, sizeof line, stdin) != NULL) {
    int count, step_tag;
    double rate, duration;
    if (sscanf(line, "calls %d", &count) == 1) {
      relay_ports = realloc(relay_ports, sizeof *relay_ports * (size_t)count);
      sequence = realloc(sequence, sizeof *sequence * (size_t)count * 2);
      for (int i = 0; i < count; i++) {
        unsigned caller_leg, callee_leg;
        if (fgets(line, sizeof line, stdin) == NULL || sscanf(line, "%u %u", &caller_leg, &callee_leg) != 2) return 1;
        relay_ports[i][0] = (uint16_t)caller_leg;
        relay_ports[i][1] = (uint16_t)callee_leg;
        if (i >= call_count) sequence[2 * i] = sequence[2 * i + 1] = 0;
      }
      call_count = count;
      printf("calls-set\n");
      fflush(stdout);
    } else if (sscanf(line, "run %d %lf %lf", &step_tag, &rate, &duration) == 3) {
      run(step_tag, rate, duration);
    } else if (strncmp(line, "stop", 4) == 0) {
      break;
    }
  }
  return 0;
}
