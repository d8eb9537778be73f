/*
 * Ohm's board harness on libsimavr: runs an Arduino .hex on a simulated AVR for a bounded
 * simulated time and talks to Ohm over stdin/stdout in lines (the protocol is documented in
 * ohm_desktop/simulation/protocol.py, which parses it).
 *
 * Compiled on the user's machine by Ohm (gcc ... -lsimavr) and cached by harness hash and
 * simavr version. Written against simavr 1.6 (Debian's libsimavr-dev); the APIs used are the
 * ones simavr's own examples use: examples/parts/i2c_eeprom.c for a TWI slave, the UART
 * output IRQ, ioport pin IRQs and AVR_IOCTL_IOPORT_SET_EXTERNAL, ADC_IRQ_ADCn in millivolts.
 *
 * argv: -m MCU -f HZ -x FILE.hex -t MICROSECONDS [-v VCC_mV] [-u UART] [-p]
 *       [-a CH=mV]... [-d PB2=0|1]... [-i ADDR:sink|regs]... [-r ADDR:REG=HEXBYTES]...
 *       [-s PB3:PB4:MM]... [-e MAX_PIN_EVENTS]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <simavr/sim_avr.h>
#include <simavr/sim_hex.h>
#include <simavr/sim_io.h>
#include <simavr/avr_adc.h>
#include <simavr/avr_ioport.h>
#include <simavr/avr_twi.h>
#include <simavr/avr_uart.h>

#define MAX_DEVICES 8
#define PORTS "ABCDEFGHJKL"

static avr_t *avr;
static uint64_t freq_hz;

/* ------------------------------------------------------------------ output */
static double now_us(void) { return (double)avr->cycle * 1e6 / (double)freq_hz; }

static char serial_buf[256];
static int serial_len;

static void flush_serial(void)
{
	if (!serial_len)
		return;
	printf("S %.0f ", now_us());
	for (int i = 0; i < serial_len; i++)
		printf("%02x", (unsigned char)serial_buf[i]);
	putchar('\n');
	serial_len = 0;
}

static void uart_out_hook(struct avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq; (void)param;
	serial_buf[serial_len++] = (char)value;
	if (value == '\n' || serial_len == (int)sizeof(serial_buf))
		flush_serial();
}

/* ------------------------------------------------------------------ pins */
static void sonar_pin_changed(char port, int bit, int was, int level);

static int8_t pin_level[16][8];
static long pin_events, pin_events_max = 200000, pin_events_dropped;

static void pin_hook(struct avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq;
	intptr_t code = (intptr_t)param;
	int port = (int)(code >> 3), bit = (int)(code & 7);
	int8_t level = value ? 1 : 0;
	if (pin_level[port][bit] == level)
		return;
	int8_t was = pin_level[port][bit];
	pin_level[port][bit] = level;
	sonar_pin_changed(PORTS[port], bit, was, level);
	if (pin_events >= pin_events_max) {
		pin_events_dropped++;
		return;
	}
	pin_events++;
	printf("P %.0f %c%d %d\n", now_us(), PORTS[port], bit, level);
}

/* External drive of input pins: per port mask/value, kept by the port itself
 * (SET_EXTERNAL) so the firmware's own PORT writes (pull-ups) do not override it. */
static uint8_t ext_mask[16], ext_value[16];

static int port_index(char name)
{
	const char *at = strchr(PORTS, name);
	return at && name ? (int)(at - PORTS) : -1;
}

static void drive_pin(char port, int bit, int level)
{
	int index = port_index(port);
	if (index < 0 || bit < 0 || bit > 7)
		return;
	avr_irq_t *irq = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(port), bit);
	if (!irq) {
		printf("L 1 no port %c on this MCU\n", port);
		return;
	}
	if (level < 0) {
		ext_mask[index] &= (uint8_t)~(1u << bit);
		ext_value[index] &= (uint8_t)~(1u << bit);
	} else {
		ext_mask[index] |= (uint8_t)(1u << bit);
		if (level)
			ext_value[index] |= (uint8_t)(1u << bit);
		else
			ext_value[index] &= (uint8_t)~(1u << bit);
	}
	avr_ioport_external_t ext = { .name = (unsigned long)port, .mask = ext_mask[index], .value = ext_value[index] };
	avr_ioctl(avr, AVR_IOCTL_IOPORT_SET_EXTERNAL(port), &ext);
	if (level >= 0)
		avr_raise_irq(irq, (uint32_t)level);
}

static void set_analog(int channel, int millivolts)
{
	avr_irq_t *irq = avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0 + channel);
	if (irq && channel >= 0 && channel < 16)
		avr_raise_irq(irq, (uint32_t)(millivolts < 0 ? 0 : millivolts));
}

/* ------------------------------------------------------------------ HC-SR04 ultrasonic sensors */
/* A 10 us pulse on TRIG (its falling edge) makes ECHO go high ~450 us later for 58 us per cm
 * of distance (HC-SR04 datasheet), as the module does; ECHO idles LOW. */
#define MAX_SONARS 4
typedef struct {
	char trig_port, echo_port;
	int trig_bit, echo_bit;
	uint32_t distance_mm;
	int busy;
} sonar_t;

static sonar_t sonars[MAX_SONARS];
static int sonar_count;

static avr_cycle_count_t sonar_echo_end(struct avr_t *a, avr_cycle_count_t when, void *param)
{
	(void)a; (void)when;
	sonar_t *s = param;
	drive_pin(s->echo_port, s->echo_bit, 0);
	s->busy = 0;
	return 0;
}

static avr_cycle_count_t sonar_echo_start(struct avr_t *a, avr_cycle_count_t when, void *param)
{
	(void)when;
	sonar_t *s = param;
	drive_pin(s->echo_port, s->echo_bit, 1);
	avr_cycle_timer_register_usec(a, s->distance_mm * 58 / 10, sonar_echo_end, s);
	return 0;
}

static void sonar_pin_changed(char port, int bit, int was, int level)
{
	for (int i = 0; i < sonar_count; i++) {
		sonar_t *s = &sonars[i];
		/* the end of a TRIG pulse, not the pin first becoming an output at LOW */
		if (s->trig_port == port && s->trig_bit == bit && was == 1 && level == 0 && !s->busy) {
			s->busy = 1;
			avr_cycle_timer_register_usec(avr, 450, sonar_echo_start, s);
		}
	}
}

static void add_sonar(const char *spec)  /* "PB3:PB4:1000" = trig, echo, distance in mm */
{
	unsigned mm;
	if (sonar_count >= MAX_SONARS || strlen(spec) < 11 || spec[0] != 'P' || spec[4] != 'P'
			|| sscanf(spec + 8, "%u", &mm) != 1)
		return;
	sonar_t *s = &sonars[sonar_count++];
	s->trig_port = spec[1]; s->trig_bit = spec[2] - '0';
	s->echo_port = spec[5]; s->echo_bit = spec[6] - '0';
	s->distance_mm = mm;
	s->busy = 0;
	drive_pin(s->echo_port, s->echo_bit, 0);
}

/* ------------------------------------------------------------------ I2C devices */
typedef struct {
	uint8_t addr;          /* 7-bit */
	int sink;              /* accepts every write, reads 0 (a display) */
	uint8_t regs[256];
	uint8_t ptr;
	int selected, index;
	long reads, writes;
} device_t;

static device_t devices[MAX_DEVICES];
static int device_count;
static avr_irq_t *twi_irq;  /* [0] = to the AVR (TWI_IRQ_INPUT side), [1] = from it */
static uint8_t nacked[128];

static device_t *device_at(uint8_t addr7)
{
	for (int i = 0; i < device_count; i++)
		if (devices[i].addr == addr7)
			return &devices[i];
	return NULL;
}

static void twi_hook(struct avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq; (void)param;
	avr_twi_msg_irq_t v;
	v.u.v = value;
	uint8_t addr7 = (uint8_t)(v.u.twi.addr >> 1);
	if (v.u.twi.msg & TWI_COND_STOP) {
		for (int i = 0; i < device_count; i++)
			devices[i].selected = 0;
	}
	if (v.u.twi.msg & TWI_COND_START) {
		for (int i = 0; i < device_count; i++)
			devices[i].selected = 0;
		device_t *d = device_at(addr7);
		if (!d) {
			if (!nacked[addr7 & 127]) {
				nacked[addr7 & 127] = 1;
				printf("IN %.0f %02x\n", now_us(), addr7);
			}
			return;
		}
		d->selected = 1;
		d->index = 0;
		avr_raise_irq(twi_irq + TWI_IRQ_INPUT, avr_twi_irq_msg(TWI_COND_ACK, v.u.twi.addr, 1));
		return;
	}
	device_t *d = device_at(addr7);
	if (!d || !d->selected)
		return;
	if (v.u.twi.msg & TWI_COND_WRITE) {
		avr_raise_irq(twi_irq + TWI_IRQ_INPUT, avr_twi_irq_msg(TWI_COND_ACK, v.u.twi.addr, 1));
		d->writes++;
		if (!d->sink) {
			/* Register devices: the first byte after the address sets the register pointer
			 * (kept across STOP, as MPU-6050 and BME280 do), the next ones write registers. */
			if (d->index == 0)
				d->ptr = v.u.twi.data;
			else
				d->regs[d->ptr++] = v.u.twi.data;
		}
		d->index++;
	}
	if (v.u.twi.msg & TWI_COND_READ) {
		uint8_t data = d->sink ? 0 : d->regs[d->ptr++];
		d->reads++;
		avr_raise_irq(twi_irq + TWI_IRQ_INPUT, avr_twi_irq_msg(TWI_COND_READ, v.u.twi.addr, data));
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* "ADDR:REG=HEXBYTES": preload (or, while running, update) a register device's registers. */
static void poke_registers(const char *spec)
{
	unsigned addr, reg;
	char bytes[600];
	if (sscanf(spec, "%x:%x=%599s", &addr, &reg, bytes) != 3)
		return;
	device_t *d = device_at((uint8_t)addr);
	if (!d)
		return;
	for (size_t i = 0; bytes[i] && bytes[i + 1] && reg < 256; i += 2, reg++) {
		int hi = hexval(bytes[i]), lo = hexval(bytes[i + 1]);
		if (hi < 0 || lo < 0)
			break;
		d->regs[reg] = (uint8_t)(hi << 4 | lo);
	}
}

static void add_device(const char *spec)
{
	unsigned addr;
	char kind[16];
	if (device_count >= MAX_DEVICES || sscanf(spec, "%x:%15s", &addr, kind) != 2)
		return;
	device_t *d = &devices[device_count++];
	memset(d, 0, sizeof(*d));
	d->addr = (uint8_t)addr;
	d->sink = strcmp(kind, "sink") == 0;
}

/* ------------------------------------------------------------------ commands on stdin */
static char console_uart = '0';
static char cmd_buf[4096];
static size_t cmd_len;
static int stop_requested;

static void apply_pin_spec(const char *spec)  /* "PB2=1", "PB2=0", "PB2=Z" */
{
	if (strlen(spec) < 5 || spec[0] != 'P' || spec[3] != '=')
		return;
	int level = spec[4] == '1' ? 1 : spec[4] == '0' ? 0 : -1;
	drive_pin(spec[1], spec[2] - '0', level);
}

static void run_command(char *line)
{
	int ch, mv;
	if (line[0] == 'Q') {
		stop_requested = 1;
	} else if (line[0] == 'A' && sscanf(line + 1, "%d %d", &ch, &mv) == 2) {
		set_analog(ch, mv);
	} else if (line[0] == 'D' && line[1] == ' ') {
		apply_pin_spec(line + 2);
	} else if (line[0] == 'X' && sscanf(line + 1, "%d %d", &ch, &mv) == 2) {
		if (ch >= 0 && ch < sonar_count && mv >= 0)
			sonars[ch].distance_mm = (uint32_t)mv;
	} else if (line[0] == 'R' && line[1] == ' ') {
		poke_registers(line + 2);
	} else if (line[0] == 'U' && line[1] == ' ') {
		avr_irq_t *rx = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(console_uart), UART_IRQ_INPUT);
		for (size_t i = 2; line[i] && line[i + 1] && rx; i += 2)
			avr_raise_irq(rx, (uint32_t)(hexval(line[i]) << 4 | hexval(line[i + 1])));
	}
}

static void poll_commands(void)
{
	for (;;) {
		ssize_t n = read(STDIN_FILENO, cmd_buf + cmd_len, sizeof(cmd_buf) - 1 - cmd_len);
		if (n == 0) {  /* Ohm went away: nobody reads our output any more */
			stop_requested = 1;
			return;
		}
		if (n < 0)
			return;  /* EAGAIN: nothing new */
		cmd_len += (size_t)n;
		cmd_buf[cmd_len] = 0;
		char *start = cmd_buf, *nl;
		while ((nl = strchr(start, '\n'))) {
			*nl = 0;
			run_command(start);
			start = nl + 1;
		}
		cmd_len = strlen(start);
		memmove(cmd_buf, start, cmd_len + 1);
		if (cmd_len >= sizeof(cmd_buf) - 1)
			cmd_len = 0;  /* a line that long is not ours: drop it */
	}
}

/* ------------------------------------------------------------------ logging */
static long log_lines;

static void logger(avr_t *a, const int level, const char *format, va_list ap)
{
	(void)a;
	if (level > LOG_WARNING || log_lines >= 200)
		return;
	char text[512];
	vsnprintf(text, sizeof(text), format, ap);
	for (char *c = text; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\x1b')
			*c = ' ';
	log_lines++;
	printf("L %d %s\n", level, text);
}

/* ------------------------------------------------------------------ main */
static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[])
{
	const char *mcu = NULL, *hex = NULL;
	uint64_t duration_us = 5000000;
	int vcc = 5000, pace = 0;
	const char *analog[32], *pins[64], *devs[MAX_DEVICES], *pokes[64], *sonar_specs[MAX_SONARS];
	int n_analog = 0, n_pins = 0, n_devs = 0, n_pokes = 0, n_sonars = 0;
	int opt;

	freq_hz = 16000000;
	while ((opt = getopt(argc, argv, "m:f:x:t:v:u:pa:d:i:r:e:s:")) != -1) {
		switch (opt) {
		case 'm': mcu = optarg; break;
		case 'f': freq_hz = strtoull(optarg, NULL, 10); break;
		case 'x': hex = optarg; break;
		case 't': duration_us = strtoull(optarg, NULL, 10); break;
		case 'v': vcc = atoi(optarg); break;
		case 'u': console_uart = optarg[0]; break;
		case 'p': pace = 1; break;
		case 'a': if (n_analog < 32) analog[n_analog++] = optarg; break;
		case 'd': if (n_pins < 64) pins[n_pins++] = optarg; break;
		case 'i': if (n_devs < MAX_DEVICES) devs[n_devs++] = optarg; break;
		case 'r': if (n_pokes < 64) pokes[n_pokes++] = optarg; break;
		case 'e': pin_events_max = atol(optarg); break;
		case 's': if (n_sonars < MAX_SONARS) sonar_specs[n_sonars++] = optarg; break;
		default: printf("E usage\n"); return 2;
		}
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (!mcu || !hex || !freq_hz) {
		printf("E usage: -m MCU -f HZ -x FILE.hex are required\n");
		return 2;
	}
	printf("READY %s %llu\n", mcu, (unsigned long long)freq_hz);
	avr_global_logger_set(logger);
	avr = avr_make_mcu_by_name(mcu);
	if (!avr) {
		printf("E mcu %s is not known to simavr\n", mcu);
		return 2;
	}
	avr_init(avr);
	avr->frequency = (uint32_t)freq_hz;
	avr->vcc = avr->avcc = avr->aref = (uint32_t)vcc;

	ihex_chunk_p chunks = NULL;
	int count = read_ihex_chunks(hex, &chunks);
	if (count <= 0) {
		printf("E cannot read %s as Intel HEX\n", hex);
		return 2;
	}
	for (int i = 0; i < count; i++) {
		if (chunks[i].baseaddr + chunks[i].size <= avr->flashend + 1)
			memcpy(avr->flash + chunks[i].baseaddr, chunks[i].data, chunks[i].size);
	}
	free_ihex_chunks(chunks);
	avr->codeend = avr->flashend;

	/* Serial: no console echo, no host sleep while the firmware polls for input. */
	uint32_t uart_flags = 0;
	avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS(console_uart), &uart_flags);
	avr_irq_t *uart_out = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(console_uart), UART_IRQ_OUTPUT);
	if (uart_out)
		avr_irq_register_notify(uart_out, uart_out_hook, NULL);

	memset(pin_level, -1, sizeof(pin_level));
	for (int p = 0; PORTS[p]; p++) {
		for (int bit = 0; bit < 8; bit++) {
			avr_irq_t *irq = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(PORTS[p]), bit);
			if (irq)
				avr_irq_register_notify(irq, pin_hook, (void *)(intptr_t)(p << 3 | bit));
		}
	}

	static const char *twi_names[2] = { "8>ohm.twi.out", "32<ohm.twi.in" };
	twi_irq = avr_alloc_irq(&avr->irq_pool, 0, 2, twi_names);
	avr_irq_register_notify(twi_irq + TWI_IRQ_OUTPUT, twi_hook, NULL);
	avr_connect_irq(twi_irq + TWI_IRQ_INPUT, avr_io_getirq(avr, AVR_IOCTL_TWI_GETIRQ(0), TWI_IRQ_INPUT));
	avr_connect_irq(avr_io_getirq(avr, AVR_IOCTL_TWI_GETIRQ(0), TWI_IRQ_OUTPUT), twi_irq + TWI_IRQ_OUTPUT);
	for (int i = 0; i < n_devs; i++)
		add_device(devs[i]);
	for (int i = 0; i < n_pokes; i++)
		poke_registers(pokes[i]);
	for (int i = 0; i < n_analog; i++) {
		int ch, mv;
		if (sscanf(analog[i], "%d=%d", &ch, &mv) == 2)
			set_analog(ch, mv);
	}
	for (int i = 0; i < n_pins; i++)
		apply_pin_spec(pins[i]);
	for (int i = 0; i < n_sonars; i++)
		add_sonar(sonar_specs[i]);

	fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	fflush(stdout);

	const uint64_t end_cycle = duration_us * freq_hz / 1000000;
	const uint64_t tick = freq_hz / 1000;  /* housekeeping every simulated millisecond */
	uint64_t next_tick = tick, next_progress = freq_hz / 10;
	void (*plain_run)(avr_t *) = avr->run;
	int watchdog_pending = 0;
	avr_flashaddr_t last_pc = avr->pc;
	double wall_start = wall_s();
	const char *reason = "time";

	for (;;) {
		if (avr->run != plain_run)
			watchdog_pending = 1;  /* the watchdog swapped in its reset callback */
		int state = avr_run(avr);
		if (state == cpu_Crashed) { reason = "crash"; break; }
		if (state == cpu_Done) { reason = "halted"; break; }
		if (avr->pc == 0 && last_pc != 0) {
			flush_serial();
			printf("%s %.0f %04x\n", watchdog_pending ? "W" : "R", now_us(), (unsigned)last_pc);
			watchdog_pending = 0;
		}
		last_pc = avr->pc;
		if (avr->cycle < next_tick)
			continue;
		next_tick = avr->cycle + tick;
		flush_serial();
		poll_commands();
		if (avr->cycle >= next_progress) {
			next_progress += freq_hz / 10;
			printf("T %.0f\n", now_us());
			fflush(stdout);
		}
		if (stop_requested) { reason = "stopped"; break; }
		if (avr->cycle >= end_cycle) break;
		if (pace) {
			double ahead = now_us() / 1e6 - (wall_s() - wall_start);
			if (ahead > 0.002) {
				fflush(stdout);
				struct timespec ts = { 0, (long)(ahead * 1e9) };
				nanosleep(&ts, NULL);
			}
		}
	}
	flush_serial();
	for (int i = 0; i < device_count; i++)
		printf("IC %02x %ld %ld\n", devices[i].addr, devices[i].reads, devices[i].writes);
	if (pin_events_dropped)
		printf("DROP %ld\n", pin_events_dropped);
	printf("END %s %.0f %llu %04x\n", reason, now_us(), (unsigned long long)avr->cycle, (unsigned)avr->pc);
	fflush(stdout);
	return 0;
}
