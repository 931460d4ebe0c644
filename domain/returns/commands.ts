import type { ReceivedLine, ReturnLine } from './events.ts';

export type RequestReturn = {
  type: 'RequestReturn';
  data: { returnId: string; orderId: string; currency: string; lines: ReturnLine[]; note: string | null; now: string };
};
export type ApproveReturn = { type: 'ApproveReturn'; data: { now: string } };
export type RejectReturn = { type: 'RejectReturn'; data: { reason: string; now: string } };
export type ReceiveReturn = { type: 'ReceiveReturn'; data: { location: string; lines: ReceivedLine[]; now: string } };
export type RecordReturnRefund = {
  type: 'RecordReturnRefund';
  data: { refundId: string; amount: number; reference: string; now: string };
};

export type ReturnCommand = RequestReturn | ApproveReturn | RejectReturn | ReceiveReturn | RecordReturnRefund;
