"""A line-follower design (sketch, BOM, wiring) as an AI would write it: three TCRT5000 analog
sensors on A0..A2, an MPU-6050 at 0x68, an L298N driven from D5..D10, an HC-SR04 on D11/D12 that
stops the motors near an obstacle, and a DHT11 (not simulated).
Used by the simulation tests, the dock screenshot and the simulation benchmark."""

from __future__ import annotations

from typing import Any

SKETCH = """\
#include <Wire.h>
const int ENA = 5, ENB = 6, IN1 = 7, IN2 = 8, IN3 = 9, IN4 = 10;
const int THRESHOLD = 512, TRIG = 11, ECHO = 12;

long distanceCm() {
  digitalWrite(TRIG, LOW); delayMicroseconds(2);
  digitalWrite(TRIG, HIGH); delayMicroseconds(10); digitalWrite(TRIG, LOW);
  return pulseIn(ECHO, HIGH, 30000) / 58;
}

int16_t readAccelZ() {
  Wire.beginTransmission(0x68); Wire.write(0x3F); Wire.endTransmission(false);
  Wire.requestFrom(0x68, 2);
  return (Wire.read() << 8) | Wire.read();
}

void setup() {
  Serial.begin(115200);
  Wire.begin();
  Wire.beginTransmission(0x68); Wire.write(0x6B); Wire.write(0); Wire.endTransmission();
  for (int pin = ENA; pin <= IN4; pin++) pinMode(pin, OUTPUT);
  pinMode(TRIG, OUTPUT); pinMode(ECHO, INPUT);
  Serial.println("line follower ready");
}

void drive(int left, int right) {
  digitalWrite(IN1, left > 0); digitalWrite(IN2, LOW);
  digitalWrite(IN3, right > 0); digitalWrite(IN4, LOW);
  digitalWrite(ENA, left > 0); digitalWrite(ENB, right > 0);
}

void loop() {
  int l = analogRead(A0), c = analogRead(A1), r = analogRead(A2);
  if (c > THRESHOLD) drive(1, 1);
  else if (l > THRESHOLD) drive(0, 1);
  else if (r > THRESHOLD) drive(1, 0);
  else drive(0, 0);
  long d = distanceCm();
  if (d > 0 && d < 15) drive(0, 0);  // obstacle ahead
  Serial.print("L="); Serial.print(l); Serial.print(" C="); Serial.print(c);
  Serial.print(" R="); Serial.print(r); Serial.print(" az="); Serial.print(readAccelZ());
  Serial.print(" d="); Serial.println(d);
  delay(100);
}
"""

CODE: dict[str, Any] = {"board": "arduino:avr:uno", "files": [{"path": "line_follower.ino", "content": SKETCH}]}

BOM: dict[str, Any] = {"projectName": "Line follower", "parts": [
    {"designator": "U1", "name": "Arduino Uno R3", "quantity": 1},
    {"designator": "U2", "name": "MPU-6050 (GY-521) IMU", "quantity": 1},
    {"designator": "U3", "name": "L298N motor driver", "quantity": 1},
    {"designator": "U4", "name": "HC-SR04", "quantity": 1},
    {"designator": "S1", "name": "TCRT5000 line sensor", "quantity": 1},
    {"designator": "S2", "name": "TCRT5000 line sensor", "quantity": 1},
    {"designator": "S3", "name": "TCRT5000 line sensor", "quantity": 1},
    {"designator": "M1", "name": "TT gear motor", "quantity": 2},
    {"designator": "U5", "name": "DHT11", "quantity": 1},
    {"designator": "R1", "name": "Resistor 10k", "quantity": 1},
]}

WIRING: dict[str, Any] = {"connections": [
    {"from": "U1.A0", "to": "S1.AO"}, {"from": "U1.A1", "to": "S2.AO"}, {"from": "U1.A2", "to": "S3.AO"},
    {"from": "U1.A4", "to": "U2.SDA"}, {"from": "U1.A5", "to": "U2.SCL"},
    {"from": "U1.D5", "to": "U3.ENA"}, {"from": "U1.D6", "to": "U3.ENB"},
    {"from": "U1.D7", "to": "U3.IN1"}, {"from": "U1.D8", "to": "U3.IN2"},
    {"from": "U1.D9", "to": "U3.IN3"}, {"from": "U1.D10", "to": "U3.IN4"},
    {"from": "U1.D11", "to": "U4.TRIG"}, {"from": "U1.D12", "to": "U4.ECHO"},
    {"from": "U3.OUT1", "to": "M1.1"},
]}
