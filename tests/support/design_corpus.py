"""Realistic designs (Uno, Nano, ESP32; robots, sensors, displays) that every export runs on.

Each design is what Ohm's specialists write: a BOM, a sketch and a wiring of 10–60
connections, with the quirks real answers have (designator ranges, net labels such as
``GND``, colours by name, modules next to board parts, LCSC numbers in different fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CorpusDesign:
    name: str
    bom: dict[str, Any]
    code: dict[str, Any]
    wiring: dict[str, Any]

    @property
    def avr(self) -> bool:
        return str(self.code.get("board", "")).startswith("arduino:avr:")


def _part(designator: str, name: str, quantity: int = 1, **fields: Any) -> dict[str, Any]:
    return {"designator": designator, "name": name, "quantity": quantity, **fields}


def _wires(*rows: str) -> dict[str, Any]:
    """``"U1.D9 R1.1 red LED"`` → a connection (from, to, optional colour, optional net)."""
    connections = []
    for row in rows:
        start, end, *rest = row.split()
        connection: dict[str, Any] = {"from": start, "to": end}
        if rest and rest[0] != "-":
            connection["color"] = rest[0]
        if len(rest) > 1:
            connection["net"] = rest[1]
        connections.append(connection)
    return {"connections": connections}


def _sketch(board: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"board": board, "files": [{"path": "sketch.ino", "content": body.lstrip()}], **extra}


TRAFFIC_LIGHT = CorpusDesign(
    "uno-traffic-light",
    {"projectName": "Traffic light", "parts": [
        _part("U1", "Arduino Uno R3", mpn="A000066", manufacturer="Arduino"),
        _part("D1", "LED", value="red LED", footprint="LED_THT:LED_D5.0mm", supplier_pn="C2286"),
        _part("D2", "LED", value="yellow LED", footprint="LED_THT:LED_D5.0mm"),
        _part("D3", "LED", value="green LED", footprint="LED_THT:LED_D5.0mm"),
        _part("R1-R3", "Resistor", 3, value="220Ω", footprint="0805", supplier_pn="LCSC: C17557"),
        _part("SW1", "Push button", footprint="Button_Switch_THT:SW_PUSH_6mm"),
        _part("BZ1", "Piezo buzzer", notes="active buzzer, LCSC C96093"),
    ]},
    _sketch("arduino:avr:uno", """
const int RED = 13, YELLOW = 12, GREEN = 11, BUTTON = 2, BUZZER = 8;

void setup() {
  pinMode(RED, OUTPUT); pinMode(YELLOW, OUTPUT); pinMode(GREEN, OUTPUT);
  pinMode(BUTTON, INPUT_PULLUP);
}

void loop() {
  show(GREEN, 4000);
  if (digitalRead(BUTTON) == LOW) beep();
  show(YELLOW, 1000);
  show(RED, 4000);
}

void show(int pin, unsigned long ms) {
  digitalWrite(RED, pin == RED); digitalWrite(YELLOW, pin == YELLOW); digitalWrite(GREEN, pin == GREEN);
  delay(ms);
}

void beep(int ms = 100) {
  tone(BUZZER, 2000, ms);
}
"""),
    _wires(
        "U1.D13 R1.1 red", "R1.2 D1.A red", "D1.K GND black",
        "U1.D12 R2.1 yellow", "R2.2 D2.A yellow", "D2.K GND black",
        "U1.D11 R3.1 green", "R3.2 D3.A green", "D3.K GND black",
        "U1.D2 SW1.1 white BUTTON", "SW1.2 GND black", "U1.D8 BZ1.+ orange", "BZ1.- GND black",
        "U1.GND GND black",
    ),
)

LINE_FOLLOWER = CorpusDesign(
    "nano-line-follower",
    {"projectName": "Line follower", "parts": [
        _part("U1", "Arduino Nano", footprint="Module:Arduino_Nano"),
        _part("IR1-IR3", "TCRT5000 IR sensor module", 3),
        _part("U2", "L298N motor driver module"),
        _part("M1, M2", "TT gear motor", 2, value="DC motor 6V"),
        _part("BT1", "Battery holder 4xAA", notes="off-board"),
        _part("C1", "Capacitor", value="100nF", footprint="0603", mpn="CL10B104KB8NNNC", supplier_pn="C14663"),
    ]},
    _sketch("arduino:avr:nano", """
const int SENSORS[3] = {A0, A1, A2};
const int ENA = 5, IN1 = 7, IN2 = 8, IN3 = 9, IN4 = 10, ENB = 6;

template <typename T> T clampTo(T value, T low, T high) { return value < low ? low : value > high ? high : value; }

void setup() {
  const int outputs[] = {ENA, IN1, IN2, IN3, IN4, ENB};
  for (int pin : outputs) pinMode(pin, OUTPUT);
}

void loop() {
  int error = 0;
  readLine(error);
  drive(clampTo(150 - error * 40, 0, 255),
        clampTo(150 + error * 40, 0, 255));
}

void readLine(int &error) {
  error = (analogRead(SENSORS[0]) > 500) - (analogRead(SENSORS[2]) > 500);
}

void drive(int left,
           int right) {
  digitalWrite(IN1, HIGH); digitalWrite(IN2, LOW); analogWrite(ENA, left);
  digitalWrite(IN3, HIGH); digitalWrite(IN4, LOW); analogWrite(ENB, right);
}
"""),
    _wires(
        "U1.A0 IR1.OUT white", "U1.A1 IR2.OUT white", "U1.A2 IR3.OUT white",
        "IR1.VCC 5V red", "IR2.VCC 5V red", "IR3.VCC 5V red",
        "IR1.GND GND black", "IR2.GND GND black", "IR3.GND GND black",
        "U1.D5 U2.ENA blue", "U1.D7 U2.IN1 green", "U1.D8 U2.IN2 green",
        "U1.D9 U2.IN3 yellow", "U1.D10 U2.IN4 yellow", "U1.D6 U2.ENB blue",
        "U2.OUT1 M1.+ red", "U2.OUT2 M1.- black", "U2.OUT3 M2.+ red", "U2.OUT4 M2.- black",
        "BT1.+ U2.12V red VBAT", "BT1.- GND black", "U2.5V 5V red", "U2.GND GND black",
        "U1.5V 5V red", "U1.GND GND black", "C1.1 5V red", "C1.2 GND black",
    ),
)

WEATHER_STATION = CorpusDesign(
    "uno-weather-station",
    {"projectName": "Weather station", "parts": [
        _part("U1", "Arduino Uno", footprint="Module:Arduino_UNO_R3"),
        _part("U2", "DHT11 temperature and humidity sensor", footprint="Sensor:Aosong_DHT11_5.5x12.0_P2.54mm"),
        _part("R1", "Resistor", value="10k", footprint="Resistor_SMD:R_0805_2012Metric", mpn="C17414"),
        _part("R2", "Photoresistor", value="GL5528 LDR"),
        _part("R3", "Resistor", value="10k", footprint="Resistor_SMD:R_0805_2012Metric", mpn="C17414"),
        _part("DS1", "LCD 1602 I2C display module"),
    ]},
    _sketch("arduino:avr:uno", """
#include <Wire.h>

const uint8_t LCD_ADDRESS = 0x27;

void setup() {
  Wire.begin();
  Serial.begin(9600);
}

void loop() {
  int light = analogRead(A0);
  Serial.print(F("light="));
  Serial.println(light);
  sendByte(LCD_ADDRESS, light >> 2);
  delay(1000);
}

#if defined(ARDUINO_AVR_UNO)
void sendByte(uint8_t address, uint8_t value) {
  Wire.beginTransmission(address);
  Wire.write(value);
  Wire.endTransmission();
}
#endif
"""),
    _wires(
        "U1.D2 U2.DATA yellow", "U2.VCC U1.5V red", "U2.GND U1.GND black", "R1.1 U2.DATA yellow",
        "R1.2 U1.5V red", "R2.1 U1.5V red", "R2.2 U1.A0 green LIGHT", "R3.1 U1.A0 green", "R3.2 U1.GND black",
        "DS1.SDA U1.A4 blue SDA", "DS1.SCL U1.A5 white SCL", "DS1.VCC U1.5V red", "DS1.GND U1.GND black",
    ),
)

OLED_WEATHER = CorpusDesign(
    "esp32-oled-weather",
    {"projectName": "ESP32 OLED weather", "parts": [
        _part("U1", "ESP32 DevKit V1", notes="dev board, plugs into headers"),
        _part("DS1", "SSD1306 OLED display module 0.96in I2C"),
        _part("U2", "DHT22 sensor", mpn="AM2302"),
        _part("R1", "Resistor", value="10k", footprint="0603", supplier_pn="C25804"),
        _part("SW1", "Tactile push button"),
    ]},
    _sketch("esp32:esp32:esp32", """
#include <Wire.h>
#include <Adafruit_SSD1306.h>
#include <DHT.h>

Adafruit_SSD1306 display(128, 64, &Wire, -1);
DHT dht(4, DHT22);

void setup() {
  display.begin(SSD1306_SWITCHCAPVCC, 0x3C);
  dht.begin();
  pinMode(0, INPUT_PULLUP);
}

void loop() {
  display.clearDisplay();
  display.setCursor(0, 0);
  display.print(dht.readTemperature());
  display.display();
  delay(2000);
}
""", libraries=[{"name": "Adafruit SSD1306", "version": "2.5.7"}, "DHT sensor library@1.4.6"]),
    _wires(
        "U1.GPIO21 DS1.SDA blue SDA", "U1.GPIO22 DS1.SCL yellow SCL", "DS1.VCC U1.3V3 red", "DS1.GND U1.GND black",
        "U1.GPIO4 U2.DATA green", "U2.VCC U1.3V3 red", "U2.GND U1.GND black", "R1.1 U2.DATA green",
        "R1.2 U1.3V3 red", "SW1.1 U1.GPIO0 white", "SW1.2 U1.GND black",
    ),
)

RADAR = CorpusDesign(
    "nano-ultrasonic-radar",
    {"projectName": "Ultrasonic radar", "parts": [
        _part("U1", "Arduino Nano"),
        _part("U2", "HC-SR04 ultrasonic sensor module"),
        _part("M1", "SG90 micro servo"),
        _part("BZ1", "Buzzer", value="passive"),
        _part("D1", "LED", value="red"),
        _part("R1", "Resistor", value="330Ω", footprint="Resistor_THT:R_Axial_DIN0207_L6.3mm_D2.5mm_P10.16mm_Horizontal"),
    ]},
    _sketch("arduino:avr:nano", """
const int TRIG = 9, ECHO = 10, SERVO = 3, BUZZER = 4, LED = 5;

void setup() {
  pinMode(TRIG, OUTPUT); pinMode(ECHO, INPUT); pinMode(SERVO, OUTPUT); pinMode(LED, OUTPUT);
  Serial.begin(115200);
}

void loop() {
  for (int angle = 0; angle <= 180; angle += 10) {
    aim(angle);
    long cm = distanceCm();
    alarm(cm < 20);
    Serial.println(cm);
  }
}

void aim(int angle) {
  for (int i = 0; i < 10; i++) {
    digitalWrite(SERVO, HIGH); delayMicroseconds(map(angle, 0, 180, 544, 2400));
    digitalWrite(SERVO, LOW); delay(18);
  }
}

long distanceCm() {
  digitalWrite(TRIG, LOW); delayMicroseconds(2);
  digitalWrite(TRIG, HIGH); delayMicroseconds(10); digitalWrite(TRIG, LOW);
  return pulseIn(ECHO, HIGH, 30000UL) / 58;
}

void alarm(bool on) {
  digitalWrite(LED, on);
  if (on) tone(BUZZER, 1500, 50);
}
"""),
    _wires(
        "U1.D9 U2.TRIG yellow", "U1.D10 U2.ECHO green", "U2.VCC U1.5V red", "U2.GND U1.GND black",
        "U1.D3 M1.PWM orange", "M1.VCC U1.5V red", "M1.GND U1.GND brown",
        "U1.D4 BZ1.+ white", "BZ1.- U1.GND black", "U1.D5 R1.1 blue", "R1.2 D1.A blue", "D1.K U1.GND black",
    ),
)

OBSTACLE_ROBOT = CorpusDesign(
    "uno-obstacle-robot",
    {"projectName": "Obstacle avoiding robot", "parts": [
        _part("U1", "Arduino Uno R3"),
        _part("U2", "L293D motor driver IC", footprint="Package_DIP:DIP-16_W7.62mm", supplier_pn="C5239"),
        _part("U3", "HC-SR04 ultrasonic sensor"),
        _part("M1-M2", "DC motor", 2),
        _part("M3", "Servo SG90"),
        _part("BT1", "9V battery"),
        _part("C1-C2", "Capacitor", 2, value="100nF", footprint="0805", supplier_pn="C49678"),
        _part("C3", "Capacitor", value="100uF", footprint="Capacitor_THT:CP_Radial_D6.3mm_P2.50mm"),
        _part("D1-D2", "LED", 2, value="white headlight LED", footprint="LED_THT:LED_D5.0mm"),
        _part("R1-R2", "Resistor", 2, value="220", footprint="0805"),
        _part("SW1", "Slide switch", value="power", notes="panel mount"),
    ]},
    _sketch("arduino:avr:uno", """
const int EN12 = 5, IN1 = 4, IN2 = 7, EN34 = 6, IN3 = 8, IN4 = 12;
const int TRIG = 9, ECHO = 10, SERVO = 3, LIGHTS = 11;

long distanceCm();
void drive(int left, int right);

void setup() {
  int pins[] = {EN12, IN1, IN2, EN34, IN3, IN4, TRIG, SERVO, LIGHTS};
  for (int pin : pins) pinMode(pin, OUTPUT);
  pinMode(ECHO, INPUT);
  digitalWrite(LIGHTS, HIGH);
}

void loop() {
  if (distanceCm() < 25) {
    drive(-180, 180);
    delay(400);
  } else {
    drive(200, 200);
  }
}

long distanceCm() {
  digitalWrite(TRIG, HIGH); delayMicroseconds(10); digitalWrite(TRIG, LOW);
  return pulseIn(ECHO, HIGH, 30000UL) / 58;
}

void drive(int left, int right) {
  digitalWrite(IN1, left > 0); digitalWrite(IN2, left < 0); analogWrite(EN12, abs(left));
  digitalWrite(IN3, right > 0); digitalWrite(IN4, right < 0); analogWrite(EN34, abs(right));
}
"""),
    _wires(
        "U1.D5 U2.EN1 blue", "U1.D4 U2.IN1 green", "U1.D7 U2.IN2 green", "U1.D6 U2.EN2 blue",
        "U1.D8 U2.IN3 yellow", "U1.D12 U2.IN4 yellow",
        "U2.OUT1 M1.+ red", "U2.OUT2 M1.- black", "U2.OUT3 M2.+ red", "U2.OUT4 M2.- black",
        "U2.VCC1 5V red", "U2.VCC2 VMOT red VMOT", "U2.GND GND black",
        "BT1.+ SW1.1 red", "SW1.2 VMOT red", "BT1.- GND black", "U1.VIN VMOT red",
        "C1.1 5V red", "C1.2 GND black", "C2.1 VMOT red", "C2.2 GND black", "C3.1 VMOT red", "C3.2 GND black",
        "U1.D9 U3.TRIG yellow", "U1.D10 U3.ECHO green", "U3.VCC 5V red", "U3.GND GND black",
        "U1.D3 M3.PWM orange", "M3.VCC 5V red", "M3.GND GND brown",
        "U1.D11 R1.1 white", "R1.2 D1.A white", "D1.K GND black", "U1.D11 R2.1 white", "R2.2 D2.A white",
        "D2.K GND black", "U1.5V 5V red", "U1.GND GND black",
    ),
)

PLANT_MONITOR = CorpusDesign(
    "esp32-plant-monitor",
    {"projectName": "Plant monitor", "parts": [
        _part("U1", "ESP32-DevKitC"),
        _part("U2", "Capacitive soil moisture sensor module v1.2"),
        _part("U3", "DS18B20 waterproof temperature probe", mpn="DS18B20"),
        _part("R1", "Resistor", value="4.7k", footprint="0603", supplier_pn="C23162"),
        _part("K1", "Relay module 5V 1-channel"),
        _part("M1", "Water pump motor 5V"),
        _part("D1", "LED", value="blue", footprint="0603"),
        _part("R2", "Resistor", value="1k", footprint="0603", supplier_pn="C21190"),
    ]},
    _sketch("esp32:esp32:esp32", """
#include <OneWire.h>
#include <DallasTemperature.h>

OneWire bus(15);
DallasTemperature probe(&bus);

void setup() {
  probe.begin();
  pinMode(26, OUTPUT);
  pinMode(2, OUTPUT);
}

void loop() {
  int moisture = analogRead(34);
  probe.requestTemperatures();
  bool dry = moisture > 2500;
  digitalWrite(26, dry);
  digitalWrite(2, dry);
  delay(5000);
}
""", libraries=["OneWire (2.3.7)", "DallasTemperature"]),
    _wires(
        "U1.GPIO34 U2.AOUT yellow", "U2.VCC U1.3V3 red", "U2.GND U1.GND black",
        "U1.GPIO15 U3.DQ white", "U3.VDD U1.3V3 red", "U3.GND U1.GND black", "R1.1 U3.DQ white", "R1.2 U1.3V3 red",
        "U1.GPIO26 K1.IN green", "K1.VCC U1.VIN red", "K1.GND U1.GND black",
        "K1.COM U1.VIN red", "K1.NO M1.+ red", "M1.- U1.GND black",
        "U1.GPIO2 R2.1 blue", "R2.2 D1.A blue", "D1.K U1.GND black",
    ),
)

MOOD_LAMP = CorpusDesign(
    "nano-mood-lamp",
    {"projectName": "Mood lamp", "parts": [
        _part("U1", "Arduino Nano"),
        _part("D1", "LED", value="red", footprint="LED_THT:LED_D5.0mm"),
        _part("D2", "LED", value="green", footprint="LED_THT:LED_D5.0mm"),
        _part("D3", "LED", value="blue", footprint="LED_THT:LED_D5.0mm"),
        _part("R1,R2,R3", "Resistor", 3, value="220R", footprint="0805", supplier_pn="C17557"),
        _part("RV1", "Potentiometer", value="10k", footprint="Potentiometer_THT:Potentiometer_Bourns_3386P_Vertical"),
        _part("SW1", "Push button", footprint="Button_Switch_THT:SW_PUSH_6mm"),
    ]},
    _sketch("arduino:avr:nano", """
const int PINS[3] = {9, 10, 11};
int mode = 0;

void setup() {
  pinMode(2, INPUT_PULLUP);
  for (int i = 0; i < 3; i++)
    pinMode(PINS[i], OUTPUT);
}

void loop() {
  if (pressed()) mode = (mode + 1) % 3;
  int level = analogRead(A0) / 4;
  setColour(mode == 0 ? level : 0, mode == 1 ? level : 0, mode == 2 ? level : 0);
}

bool pressed() {
  static bool last = HIGH;
  bool now = digitalRead(2);
  bool edge = last == HIGH && now == LOW;
  last = now;
  return edge;
}

void setColour(const int &red, const int &green,
               const int &blue) {
  analogWrite(PINS[0], red); analogWrite(PINS[1], green); analogWrite(PINS[2], blue);
}
"""),
    _wires(
        "U1.D9 R1.1 red", "R1.2 D1.A red", "U1.D10 R2.1 green", "R2.2 D2.A green",
        "U1.D11 R3.1 blue", "R3.2 D3.A blue", "D1.K GND black", "D2.K GND black", "D3.K GND black",
        "RV1.1 GND black", "RV1.2 U1.A0 white", "RV1.3 U1.5V red", "SW1.1 U1.D2 yellow", "SW1.2 GND black",
        "U1.GND GND black",
    ),
)

KEYPAD_LOCK = CorpusDesign(
    "uno-keypad-lock",
    {"projectName": "Keypad door lock", "parts": [
        _part("U1", "Arduino Uno"),
        _part("KP1", "4x4 membrane keypad"),
        _part("M1", "Servo motor MG996R"),
        _part("D1", "LED", value="green", footprint="LED_THT:LED_D5.0mm"),
        _part("D2", "LED", value="red", footprint="LED_THT:LED_D5.0mm"),
        _part("R1-R2", "Resistor", 2, value="330", footprint="0805"),
        _part("BZ1", "Buzzer", footprint="Buzzer_Beeper:Buzzer_12x9.5RM7.6"),
    ]},
    _sketch("arduino:avr:uno", """
const byte ROWS[4] = {9, 8, 7, 6};
const byte COLS[4] = {5, 4, 3, 2};
const char KEYS[4][4] = {{'1','2','3','A'}, {'4','5','6','B'}, {'7','8','9','C'}, {'*','0','#','D'}};
const char CODE[] = "1234";
byte typed = 0;

void setup() {
  for (byte r = 0; r < 4; r++) { pinMode(ROWS[r], OUTPUT); digitalWrite(ROWS[r], HIGH); }
  for (byte c = 0; c < 4; c++) pinMode(COLS[c], INPUT_PULLUP);
  pinMode(10, OUTPUT); pinMode(11, OUTPUT); pinMode(12, OUTPUT); pinMode(13, OUTPUT);
}

void loop() {
  char key = scan();
  if (!key) return;
  typed = key == CODE[typed] ? typed + 1 : 0;
  if (typed == 4) { unlock(); typed = 0; }
}

char scan() {
  for (byte r = 0; r < 4; r++) {
    digitalWrite(ROWS[r], LOW);
    for (byte c = 0; c < 4; c++) {
      if (digitalRead(COLS[c]) == LOW) { digitalWrite(ROWS[r], HIGH); delay(200); return KEYS[r][c]; }
    }
    digitalWrite(ROWS[r], HIGH);
  }
  return 0;
}

void unlock() {
  digitalWrite(12, HIGH);
  tone(13, 1000, 100);
  for (int i = 0; i < 50; i++) { digitalWrite(10, HIGH); delayMicroseconds(2000); digitalWrite(10, LOW); delay(18); }
  digitalWrite(12, LOW);
}
"""),
    _wires(
        "U1.D9 KP1.R1 brown", "U1.D8 KP1.R2 red", "U1.D7 KP1.R3 orange", "U1.D6 KP1.R4 yellow",
        "U1.D5 KP1.C1 green", "U1.D4 KP1.C2 blue", "U1.D3 KP1.C3 violet", "U1.D2 KP1.C4 grey",
        "U1.D10 M1.SIG orange", "M1.V+ U1.5V red", "M1.GND U1.GND brown",
        "U1.D12 R1.1 green", "R1.2 D1.A green", "D1.K U1.GND black",
        "U1.D11 R2.1 red", "R2.2 D2.A red", "D2.K U1.GND black", "U1.D13 BZ1.+ white", "BZ1.- U1.GND black",
    ),
)

NEOPIXEL_CLOCK = CorpusDesign(
    "esp32-neopixel-clock",
    {"projectName": "NeoPixel ring clock", "parts": [
        _part("U1", "ESP32 DevKit V1"),
        _part("LED1", "WS2812B NeoPixel ring 24 LEDs"),
        _part("U2", "DS1307 RTC module"),
        _part("C1", "Capacitor", value="1000uF", footprint="Capacitor_THT:CP_Radial_D10.0mm_P5.00mm"),
        _part("R1", "Resistor", value="330", footprint="0603", supplier_pn="C23138"),
        _part("SW1-SW2", "Push button", 2, footprint="Button_Switch_THT:SW_PUSH_6mm"),
    ]},
    _sketch("esp32:esp32:esp32", """
#include <Adafruit_NeoPixel.h>
#include <RTClib.h>

Adafruit_NeoPixel ring(24, 5, NEO_GRB + NEO_KHZ800);
RTC_DS1307 rtc;

void setup() { ring.begin(); rtc.begin(); }

void loop() {
  DateTime now = rtc.now();
  ring.clear();
  ring.setPixelColor(now.hour() % 12 * 2, ring.Color(255, 0, 0));
  ring.setPixelColor(now.minute() * 24 / 60, ring.Color(0, 0, 255));
  ring.show();
  delay(1000);
}
""", libraries=[{"name": "Adafruit NeoPixel", "version": "1.12.0"}, {"name": "RTClib", "version": "2.1.4"}]),
    _wires(
        "U1.GPIO5 R1.1 green", "R1.2 LED1.DIN green", "LED1.VCC 5V red", "LED1.GND GND black",
        "C1.1 5V red", "C1.2 GND black", "U1.GPIO21 U2.SDA blue SDA", "U1.GPIO22 U2.SCL yellow SCL",
        "U2.VCC 5V red", "U2.GND GND black", "SW1.1 U1.GPIO18 white", "SW1.2 GND black",
        "SW2.1 U1.GPIO19 white", "SW2.2 GND black", "U1.VIN 5V red", "U1.GND GND black",
    ),
)

DATA_LOGGER = CorpusDesign(
    "nano-data-logger",
    {"projectName": "Temperature data logger", "parts": [
        _part("U1", "Arduino Nano"),
        _part("U2", "MicroSD card module SPI"),
        _part("U3-U5", "DS18B20 temperature sensor", 3, footprint="Package_TO_SOT_THT:TO-92_Inline",
              supplier_pn="C376006"),
        _part("R1", "Resistor", value="4.7k", footprint="0805", supplier_pn="C17673"),
        _part("D1", "LED", value="green", footprint="0805", mpn="LCSC C2297"),
        _part("R2", "Resistor", value="1k", footprint="0805", supplier_pn="C17513"),
        _part("C1", "Capacitor", value="10uF", footprint="0805", supplier_pn="C15850"),
    ]},
    _sketch("arduino:avr:nano", """
#include <SPI.h>

const int CS = 10, ONE_WIRE = 2, LED = 4;

void setup() {
  SPI.begin();
  pinMode(CS, OUTPUT);
  pinMode(LED, OUTPUT);
  Serial.begin(9600);
}

void loop() {
  digitalWrite(LED, HIGH);
  float celsius = readProbe(ONE_WIRE);
  log(celsius);
  digitalWrite(LED, LOW);
  delay(60000UL);
}

float readProbe(int pin) {
  pinMode(pin, INPUT_PULLUP);
  return digitalRead(pin) ? 21.5f : -127.0f;
}

void log(float value) {
  digitalWrite(CS, LOW);
  SPI.transfer((byte)value);
  digitalWrite(CS, HIGH);
  Serial.println(value);
}
"""),
    _wires(
        "U1.D10 U2.CS white", "U1.D11 U2.MOSI blue", "U1.D12 U2.MISO green", "U1.D13 U2.SCK yellow",
        "U2.VCC 5V red", "U2.GND GND black",
        "U1.D2 U3.DQ white ONEWIRE", "U3.DQ U4.DQ white ONEWIRE", "U4.DQ U5.DQ white ONEWIRE",
        "U3.VDD 5V red", "U4.VDD 5V red", "U5.VDD 5V red", "U3.GND GND black", "U4.GND GND black",
        "U5.GND GND black", "R1.1 U3.DQ white", "R1.2 5V red",
        "U1.D4 R2.1 green", "R2.2 D1.A green", "D1.K GND black", "C1.1 5V red", "C1.2 GND black",
        "U1.5V 5V red", "U1.GND GND black",
    ),
)

PIR_ALARM = CorpusDesign(
    "uno-pir-alarm",
    {"projectName": "PIR alarm", "parts": [
        _part("U1", "Arduino Uno"),
        _part("U2", "HC-SR501 PIR motion sensor"),
        _part("Q1", "2N3904 NPN transistor", footprint="Package_TO_SOT_THT:TO-92_Inline", supplier_pn="C18536"),
        _part("R1", "Resistor", value="1k", footprint="0805"),
        _part("BZ1", "Buzzer", value="12V siren"),
        _part("D1", "Diode", value="1N4148", footprint="Diode_THT:D_DO-35_SOD27_P7.62mm_Horizontal"),
        _part("D2", "LED", value="red", footprint="LED_THT:LED_D5.0mm"),
        _part("R2", "Resistor", value="220", footprint="0805"),
    ]},
    _sketch("arduino:avr:uno", """
const int PIR = 2, SIREN = 9, LED = 13;
volatile bool motion = false;

void onMotion() { motion = true; }

void setup() {
  pinMode(PIR, INPUT);
  pinMode(SIREN, OUTPUT);
  pinMode(LED, OUTPUT);
  attachInterrupt(digitalPinToInterrupt(PIR), onMotion, RISING);
}

void loop() {
  if (motion) {
    sound(3);
    motion = false;
  }
}

void sound(int times) {
  while (times-- > 0) {
    digitalWrite(SIREN, HIGH); digitalWrite(LED, HIGH); delay(300);
    digitalWrite(SIREN, LOW); digitalWrite(LED, LOW); delay(300);
  }
}
"""),
    _wires(
        "U1.D2 U2.OUT yellow", "U2.VCC U1.5V red", "U2.GND U1.GND black",
        "U1.D9 R1.1 orange", "R1.2 Q1.B orange", "Q1.E U1.GND black", "Q1.C BZ1.- black", "BZ1.+ U1.VIN red",
        "D1.A Q1.C black", "D1.K U1.VIN red", "U1.D13 R2.1 white", "R2.2 D2.A white", "D2.K U1.GND black",
    ),
)

CORPUS: tuple[CorpusDesign, ...] = (
    TRAFFIC_LIGHT, LINE_FOLLOWER, WEATHER_STATION, OLED_WEATHER, RADAR, OBSTACLE_ROBOT, PLANT_MONITOR,
    MOOD_LAMP, KEYPAD_LOCK, NEOPIXEL_CLOCK, DATA_LOGGER, PIR_ALARM,
)
